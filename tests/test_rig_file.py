"""The rig file (`mirage.rig_file`): every `mirage run` option has a key and a default, the
command line overrides the file, mistakes are one line naming the file and the key (exit 2),
and the documented example parses and runs."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from mirage.cli import build_parser, main
from mirage.commands.run import RUN_DEFAULTS, _check
from mirage.rig_file import RIG_KEYS, load_rig
from tests.engine_runs import read_stats, run_engine
from tests.osc_receivers import free_udp_port

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "rig.toml"
NOT_RIG_KEYS = {"help", "config", "source", "command"}  # the file itself; `source` is `input`


def run_options() -> dict[str, argparse.Action]:
    parser, _ = build_parser("run")
    run = parser.subcommand_parsers["run"]
    return {a.dest: a for a in run._actions if a.dest not in NOT_RIG_KEYS}


def test_every_run_option_has_a_rig_key_a_default_and_argparse_default_none():
    """A new flag cannot be forgotten: it needs a RIG_KEYS entry and a RUN_DEFAULTS value,
    and argparse must leave it None so `settle` can tell "not given"."""
    options = run_options()
    parser, _ = build_parser("run")
    defaults = vars(parser.parse_args(["run"]))
    assert set(options) | {"control_midi_map"} == set(RIG_KEYS) == set(RUN_DEFAULTS)
    for dest in RIG_KEYS:
        assert defaults[dest] is None, f"{dest}: argparse default {defaults[dest]!r}, not None"
    assert RUN_DEFAULTS["control_host"] == "127.0.0.1"


def parse_run(*argv: str):
    parser, _ = build_parser("run")
    args = parser.parse_args(["run", *argv])
    _check(args)
    return args


def test_the_command_line_overrides_the_file_and_the_file_the_defaults(tmp_path):
    rig = tmp_path / "rig.toml"
    rig.write_text('input = "demo"\nclock = true\nhop = 256\nosc_profile = "mirage-code"\n'
                   'osc_target = ["127.0.0.1:9100"]\ncontrol_port = 9300\nstats_json = "out/s.json"\n')
    (tmp_path / "out").mkdir()
    args = parse_run("--config", str(rig), "--hop", "128")
    assert (args.input, args.clock, args.hop, args.osc_profile) == ("demo", True, 128, "mirage-code")
    assert args.n_fft == 2048 and args.control_host == "127.0.0.1" and args.control_port == 9300
    assert args.osc_targets == ["127.0.0.1:9100"]
    assert args.stats_json == tmp_path / "out" / "s.json"  # relative to the rig file
    assert [s.source for s in args.songs] == ["demo"]


def test_the_example_has_two_songs_and_is_what_run_reads():
    rig = load_rig(EXAMPLE)
    assert [s.title for s in rig.songs] == ["Opening", "Ballad"]
    assert rig.songs[1].profile == "STRINGS" and rig.songs[1].tracks[1].profile == "PIANO"
    args = parse_run("--config", str(EXAMPLE), "--clock", "--song", "ballad")
    assert args.song_index == 1 and args.advance == "next" and args.osc_profile == "mirage-code"


@pytest.mark.parametrize("text, line", [
    ("hop = \"big\"\n", "rig.toml: hop = 'big': expected an integer"),
    ("osc_port = 1\nhopp = 3\n", "rig.toml: unknown key 'hopp' (did you mean 'hop'?)"),
    ("hop = [\n", "rig.toml: not valid TOML"),
    ("no_emotion = 1\n", "rig.toml: no_emotion = 1: expected true or false"),
    ('[[songs]]\nsource = "no-such-folder"\n', "rig.toml: songs[0].source = 'no-such-folder': no such file or stems folder"),
    ('[[songs]]\nname = "x"\n', "rig.toml: songs[0]: no source"),
    ('[[songs]]\nsource = "demo"\ntracks = [{ profile = "KAZOO" }]\n',
     "rig.toml: songs[0].tracks[0].profile = 'KAZOO': expected one of"),
    ('[[songs]]\nsource = "demo"\ntracks = [{ chanel = 1 }]\n', "rig.toml: songs[0].tracks[0]: unknown key 'chanel'"),
    ('osc_profile = "max"\n', "--osc-profile 'max': expected one of readme, mirage-code"),
])
def test_mistakes_are_one_line_naming_the_file_and_the_key_and_exit_2(tmp_path, capsys, text, line):
    rig = tmp_path / "rig.toml"
    rig.write_text(text)
    assert main(["run", "--config", str(rig), "--clock"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert line in err.replace(str(tmp_path) + "/", ""), err


def test_a_missing_rig_file_is_one_line(tmp_path, capsys):
    assert main(["run", "--config", str(tmp_path / "none.toml")]) == 2
    assert "none.toml: no such file" in capsys.readouterr().err


def test_a_channel_the_device_lacks_is_one_line_and_exit_2(jack_server, tmp_path):
    rig = tmp_path / "rig.toml"
    rig.write_text('device = "system"\n[[songs]]\nsource = "live"\ntracks = [{ channel = 1 }, { channel = 9 }]\n')
    done = run_engine(["--config", str(rig), "--duration", "1"], env=jack_server.env, timeout_s=120)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert "songs[0].tracks[1].channel = 9: the device" in done.stderr and "has inputs 1..2" in done.stderr


def test_the_example_runs_on_a_clock_and_plays_its_first_song(tmp_path):
    done = run_engine(["--config", str(EXAMPLE), "--clock", "--no-emotion", "--duration", "2", "--no-zeroconf",
                       "--control-port", str(free_udp_port()), "--stats-json", str(tmp_path / "s.json")], timeout_s=120)
    assert done.returncode == 0, done.stderr
    stats = read_stats(tmp_path / "s.json")
    assert stats["songs"] == ["Opening", "Ballad"] and stats["hops_sent"] > 0
    assert "setlist: 0: Opening (4 tracks), 1: Ballad (4 tracks); at a song's end: next" in done.stderr
