"""`mirage run`'s command line: short options, the positional source, destinations, and the
one-line errors (exit 2) for what an operator mistypes. In-process: every error here is
raised by the argument check, before any audio or OSC is opened."""

from __future__ import annotations

import pytest

from mirage.cli import build_parser, main
from mirage.commands.run import _check


def parse_run(*argv: str):
    parser, _ = build_parser("run")
    args = parser.parse_args(["run", *argv])
    _check(args)
    return args


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


# ---------------------------------------------------------------------------- the source


@pytest.mark.parametrize("argv", [["demo"], ["-i", "demo"], ["--input", "demo"], ["demo", "--input", "demo"]])
def test_positional_source_is_input(argv):
    assert parse_run(*argv, "--clock").input == "demo"


def test_no_source_is_live():
    assert parse_run().input == "live"


def test_two_different_sources_are_one_line_and_exit_2(capsys):
    assert main(["run", "demo", "--input", "live"]) == 2
    assert one_error_line(capsys) == "mirage: error: two sources given: 'demo' and --input 'live'; give one"


# ---------------------------------------------------------------------------- short options


def test_short_options_are_the_long_ones():
    short = parse_run("-i", "live", "-d", "system", "-c", "1-2", "-b", "64", "-o", "127.0.0.1:9000")
    long = parse_run("--input", "live", "--device", "system", "--channels", "1-2", "--blocksize", "64",
                     "--osc-target", "127.0.0.1:9000")
    for name in ("input", "device", "channels", "blocksize", "osc_targets"):
        assert getattr(short, name) == getattr(long, name)
    assert short.osc_targets == ["127.0.0.1:9000"]


def test_analyze_o_is_its_output_file_too():
    parser, _ = build_parser("analyze")
    assert parser.parse_args(["analyze", "demo", "-o", "f.csv"]).out == "f.csv"


# ---------------------------------------------------------------------------- destinations


@pytest.mark.parametrize("argv, targets", [
    ([], ["127.0.0.1:12345"]),
    (["-o", "10.0.0.2:9000"], ["10.0.0.2:9000"]),  # -o says where the output goes
    (["-o", "10.0.0.2:9000", "-o", "127.0.0.1:9001"], ["10.0.0.2:9000", "127.0.0.1:9001"]),
    (["--osc-port", "7000"], ["127.0.0.1:7000"]),
    (["--osc-port", "7000", "-o", "10.0.0.2:9000"], ["127.0.0.1:7000", "10.0.0.2:9000"]),
    (["--osc-host", "localhost", "-o", "10.0.0.2:9000"], ["localhost:12345", "10.0.0.2:9000"]),
    (["--osc-host", "::1"], ["[::1]:12345"]),
])
def test_destinations(argv, targets):
    assert parse_run("demo", "--clock", *argv).osc_targets == targets


@pytest.mark.parametrize("argv, line", [
    (["--osc-host", "no-such-host.invalid"],
     "mirage: error: --osc-host: cannot resolve host 'no-such-host.invalid' (Name or service not known)"),
    (["-o", "no-such-host.invalid:9000"],
     "mirage: error: --osc-target no-such-host.invalid:9000: cannot resolve host 'no-such-host.invalid' "
     "(Name or service not known)"),
    (["-o", "nohostport"],
     "mirage: error: bad OSC target 'nohostport': expected host:port (IPv6 as [addr]:port)"),
])
def test_bad_destinations_are_one_line_and_exit_2(argv, line, capsys):
    assert main(["run", "demo", "--clock", *argv]) == 2
    assert one_error_line(capsys) == line


# ---------------------------------------------------------------------------- channels


@pytest.mark.parametrize("spec, message", [
    ("1-4,3", "channel 3 is given twice"),
    ("4-1", "range 4-1 is reversed (write 1-4)"),
    ("0-2", "channels are numbered from 1, '0-2' has a 0"),
])
def test_bad_channels_are_one_line_and_exit_2_before_any_device(spec, message, capsys):
    assert main(["run", "-c", spec]) == 2
    assert one_error_line(capsys) == f"mirage: error: --channels {spec!r}: {message}"


def test_channel_ranges_are_accepted():
    assert parse_run("-c", "1-4,7").channels == "1-4,7"


# ---------------------------------------------------------------------------- misspelled flags


@pytest.mark.parametrize("argv, usage, error", [
    (["run", "--inptu", "demo"], "usage: mirage run ",
     "mirage run: error: unrecognized arguments: --inptu (did you mean --input?)"),
    (["run", "demo", "--osc-prot", "9000"], "usage: mirage run ",
     "mirage run: error: unrecognized arguments: --osc-prot 9000 (did you mean --osc-port?)"),
    (["analyze", "demo", "--hpo", "256"], "usage: mirage analyze ",
     "mirage analyze: error: unrecognized arguments: --hpo 256 (did you mean --hop?)"),
    (["devices", "--jsn"], "usage: mirage devices ",
     "mirage devices: error: unrecognized arguments: --jsn (did you mean --json?)"),
    (["monitor", "--prot", "9000"], "usage: mirage monitor ", "mirage monitor: error: unrecognized arguments"),
])
def test_a_misspelled_flag_shows_the_subcommands_usage_and_exits_2(argv, usage, error, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(usage), err
    assert "usage: mirage [-h]" not in err  # not the top-level usage
    assert err.splitlines()[-1].startswith(error), err


def test_osc_port_out_of_range_is_one_line_and_exit_2(capsys):
    assert main(["run", "demo", "--clock", "--osc-port", "70000"]) == 2
    assert one_error_line(capsys) == "mirage: error: --osc-port must be within 1..65535, got 70000"
