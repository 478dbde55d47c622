"""``mirage devices``: PortAudio devices and MIDI ports, with and without a JACK server."""

import argparse
import json
import os
import re
import subprocess
import sys
import uuid

import pytest

from mirage.commands import devices

JACK_HOSTAPI = "JACK Audio Connection Kit"


def run_cli(*args: str, env_overrides: dict | None = None, pythonpath: str | None = None):
    """``python -m mirage devices ARGS`` in a fresh process (fresh PortAudio and RtMidi)."""
    env = {**os.environ, **(env_overrides or {})}
    if pythonpath:
        env["PYTHONPATH"] = os.pathsep.join(p for p in (pythonpath, env.get("PYTHONPATH")) if p)
    return subprocess.run([sys.executable, "-m", "mirage", "devices", *args], env=env, check=False,
                          capture_output=True, text=True, timeout=60)


def no_jack_env() -> dict:
    """Point JACK clients at a server that does not exist, and forbid starting one."""
    return {"JACK_DEFAULT_SERVER": f"mirage-absent-{uuid.uuid4().hex[:8]}", "JACK_NO_START_SERVER": "1"}


def test_without_jack_json_parses_and_every_backend_is_accounted_for():
    result = run_cli("--json", env_overrides=no_jack_env())
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    audio = data["audio"]
    assert audio["available"] is True and audio["portaudio_version"]
    assert all(d["hostapi"] != JACK_HOSTAPI for d in audio["devices"])
    for d in audio["devices"]:
        assert d["max_input_channels"] >= 0 and d["max_output_channels"] >= 0 and d["default_samplerate_hz"] > 0
    assert data["midi"], "python-rtmidi has at least one back-end compiled in"
    for midi in data["midi"]:
        assert midi["available"] or midi["error"]
    jack_midi = [m for m in data["midi"] if m["api"].lower() == "jack"]
    if jack_midi:
        assert jack_midi[0]["available"] is False and "JACK" in jack_midi[0]["error"]
    assert "Cannot connect to server" not in result.stderr  # libjack's chatter is not shown


def test_without_jack_table():
    result = run_cli(env_overrides=no_jack_env())
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Audio devices (")
    midi_lines = [line for line in lines if line.startswith("MIDI")]
    assert midi_lines and all(re.match(r"MIDI (ports )?\(\w+\)", line) for line in midi_lines)
    if any("(Jack)" in line for line in midi_lines):
        assert any(re.fullmatch(r"MIDI \(Jack\): not available \(.*JACK.*\)", line) for line in midi_lines)
    assert "\x1b[" not in result.stdout


def test_without_the_portaudio_library_says_so_and_lists_midi(tmp_path):
    # sounddevice raises exactly this when libportaudio is not installed
    (tmp_path / "sounddevice.py").write_text("raise OSError('PortAudio library not found')\n")
    result = run_cli(env_overrides=no_jack_env(), pythonpath=str(tmp_path))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Audio: PortAudio not available (PortAudio library not found)"
    assert len(lines) >= 2 and all(line.startswith(("MIDI", "  ")) for line in lines[1:])

    result = run_cli("--json", env_overrides=no_jack_env(), pythonpath=str(tmp_path))
    assert result.returncode == 0, result.stderr
    audio = json.loads(result.stdout)["audio"]
    assert audio == {"available": False, "portaudio_version": None, "error": "PortAudio library not found",
                     "hostapis": [], "devices": []}


def test_format_table_aligns_columns():
    data = {
        "audio": {"available": True, "portaudio_version": "PortAudio V19", "error": None, "hostapis": ["A"],
                  "devices": [
                      {"index": 0, "name": "a", "hostapi": "A", "max_input_channels": 2, "max_output_channels": 0,
                       "default_samplerate_hz": 44100.0, "default_input": True, "default_output": False},
                      {"index": 12, "name": "long name", "hostapi": "A", "max_input_channels": 64,
                       "max_output_channels": 8, "default_samplerate_hz": 48000.0, "default_input": False,
                       "default_output": True},
                  ]},
        "midi": [{"api": "ALSA", "available": False, "error": "no sequencer", "inputs": [], "outputs": []},
                 {"api": "Jack", "available": True, "error": None, "inputs": ["x:in"], "outputs": []},
                 {"api": "Dummy", "available": True, "error": None, "inputs": [], "outputs": []}],
    }
    assert devices.format_table(data).splitlines() == [
        "Audio devices (PortAudio V19):",
        "   #  name       host API  in  out  rate Hz  default",
        "   0  a          A          2    0    44100  in",
        "  12  long name  A         64    8    48000  out",
        "MIDI (ALSA): not available (no sequencer)",
        "MIDI ports (Jack):",
        "  #  dir  name",
        "  0  in   x:in",
        "MIDI (Dummy): no ports",
    ]


def test_add_arguments_registers_json():
    parser = argparse.ArgumentParser()
    devices.add_arguments(parser)
    assert parser.parse_args([]).json is False
    assert parser.parse_args(["--json"]).json is True


@pytest.mark.jack
def test_with_jack_lists_the_system_device_and_jack_midi_ports(jack_server, capsys):
    import rtmidi

    virtual = rtmidi.MidiOut(rtmidi.API_UNIX_JACK)
    port_name = f"mirage-devices-{uuid.uuid4().hex[:6]}"
    virtual.open_virtual_port(port_name)
    try:
        assert devices.main(argparse.Namespace(json=True)) == 0
        data = json.loads(capsys.readouterr().out)
        assert devices.main(argparse.Namespace(json=False)) == 0
        table = capsys.readouterr().out
    finally:
        virtual.delete()

    jack_devices = [d for d in data["audio"]["devices"] if d["hostapi"] == JACK_HOSTAPI]
    system = [d for d in jack_devices if d["name"] == "system"]
    assert len(system) == 1, data["audio"]
    system = system[0]
    assert system["max_input_channels"] == jack_server.capture_channels == 2
    assert system["max_output_channels"] == jack_server.playback_channels == 2
    assert system["default_samplerate_hz"] == 48000.0
    assert JACK_HOSTAPI in data["audio"]["hostapis"]

    jack_midi = [m for m in data["midi"] if m["api"].lower() == "jack"]
    assert len(jack_midi) == 1 and jack_midi[0]["available"] is True, data["midi"]
    assert any(name.endswith(":" + port_name) for name in jack_midi[0]["inputs"]), jack_midi[0]

    row = re.compile(rf"^\s+{system['index']}\s+system\s+{JACK_HOSTAPI}\s+2\s+2\s+48000\b", re.MULTILINE)
    assert row.search(table), table
    assert "MIDI ports (Jack):" in table and port_name in table
