"""``mirage devices``: the audio devices (PortAudio) and MIDI ports (RtMidi) this machine offers.

Audio: every PortAudio device with its index (what ``mirage run --input N`` takes), name,
host API, maximum input/output channels and default sample rate; the default input and
output devices are marked. Without the PortAudio library (or the sounddevice package) one
line says so and the MIDI part still runs.

MIDI: the input and output ports of each RtMidi back-end compiled into python-rtmidi —
ALSA sequencer and JACK on Linux (CoreMIDI, Windows MM elsewhere). A back-end that cannot
start (no ``/dev/snd/seq`` in a container, no JACK server running) is one line,
``MIDI (ALSA): not available (reason)``. JACK clients are opened with "do not start a
server", so listing never starts one.

Output is an aligned plain table, or JSON with ``--json`` (`collect` gives the same data
as dicts). The exit code is 0 whatever is found.

ALSA and JACK report failures on the C ``stderr`` as well as through the exception that
python-rtmidi raises; that C chatter is captured while the back-ends are probed and dropped,
since the exception already carries the reason.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
from dataclasses import asdict, dataclass, field

from mirage.audio.device import AudioDevice
from mirage.errors import EXIT_OK

__all__ = ["AudioDevice", "AudioReport", "MidiReport", "add_arguments", "collect", "format_table", "main"]


@dataclass
class AudioReport:
    """The PortAudio part: ``available`` False (with ``error``) if PortAudio cannot be used."""

    available: bool
    portaudio_version: str | None = None
    error: str | None = None
    hostapis: list[str] = field(default_factory=list)
    devices: list[AudioDevice] = field(default_factory=list)


@dataclass
class MidiReport:
    """One RtMidi back-end (``api``: "ALSA", "JACK", ...) and its ports, or why it is unavailable."""

    api: str
    available: bool
    error: str | None = None
    inputs: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------- probing


@contextlib.contextmanager
def _quiet_c_stderr():
    """Send file descriptor 2 to a scratch file for the duration (C libraries' chatter)."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no usable fd 2 (embedded, closed): nothing to hide
        yield
        return
    try:
        with tempfile.TemporaryFile() as scratch:
            os.dup2(scratch.fileno(), 2)
            try:
                yield
            finally:
                os.dup2(saved, 2)
    finally:
        os.close(saved)


def list_audio_devices() -> AudioReport:
    """Query PortAudio through sounddevice (imported here, so MIDI listing works without it)."""
    try:
        with _quiet_c_stderr():
            import sounddevice as sd
    except (ImportError, OSError) as exc:  # OSError: "PortAudio library not found"
        return AudioReport(available=False, error=str(exc) or type(exc).__name__)
    try:
        with _quiet_c_stderr():
            hostapis = sd.query_hostapis()
            devices = sd.query_devices()
            version = sd.get_portaudio_version()[1]
    except sd.PortAudioError as exc:
        return AudioReport(available=False, error=str(exc))
    default_in = {api["default_input_device"] for api in hostapis if api["default_input_device"] >= 0}
    default_out = {api["default_output_device"] for api in hostapis if api["default_output_device"] >= 0}
    # PortAudio's global defaults are those of its default host API; sounddevice's
    # `default.device` resolves them (or the user's override) to indices (-1 = none).
    global_in, global_out = sd.default.device
    result = []
    for device in devices:
        index = int(device["index"])
        result.append(AudioDevice(
            index=index,
            name=str(device["name"]),
            hostapi=str(hostapis[device["hostapi"]]["name"]),
            max_input_channels=int(device["max_input_channels"]),
            max_output_channels=int(device["max_output_channels"]),
            default_samplerate_hz=float(device["default_samplerate"]),
            default_input=index == global_in or (global_in < 0 and index in default_in),
            default_output=index == global_out or (global_out < 0 and index in default_out),
        ))
    return AudioReport(available=True, portaudio_version=str(version),
                       hostapis=[str(api["name"]) for api in hostapis], devices=result)


def _port_names(api: int, kind: str) -> list[str]:
    import rtmidi

    port = rtmidi.MidiIn(api) if kind == "in" else rtmidi.MidiOut(api)
    try:
        return list(port.get_ports())
    finally:
        port.delete()  # closes the back-end client now, not at garbage collection


def find_midi_input(spec: str) -> tuple[int, int, str]:
    """``(rtmidi api, port index, port name)`` of the one MIDI input port named ``spec``
    (exactly, or as a case-insensitive part of its name, on any back-end).

    Raises InputError naming the available inputs when none or several match.
    """
    import rtmidi

    from mirage.errors import InputError

    found = []
    for api in rtmidi.get_compiled_api():
        if api == rtmidi.API_RTMIDI_DUMMY:
            continue
        try:
            with _quiet_c_stderr():
                names = _port_names(api, "in")
        except rtmidi.RtMidiError:
            continue
        found += [(api, index, name) for index, name in enumerate(names)]
    exact = [port for port in found if port[2] == spec]
    matches = exact or [port for port in found if spec.lower() in port[2].lower()]
    if len(matches) == 1:
        return matches[0]
    inputs = ", ".join(repr(port[2]) for port in found) or "none"
    if matches:
        raise InputError(f"MIDI input {spec!r} matches {len(matches)} ports; be more specific "
                         f"(inputs: {inputs})")
    raise InputError(f"no MIDI input port matches {spec!r} (inputs: {inputs})")


def list_midi_ports() -> list[MidiReport]:
    """The ports of every RtMidi back-end compiled in (one report each; never raises for a back-end)."""
    try:
        import rtmidi
    except ImportError as exc:
        return [MidiReport(api="rtmidi", available=False, error=str(exc))]
    reports = []
    for api in rtmidi.get_compiled_api():
        if api == rtmidi.API_RTMIDI_DUMMY:
            continue
        name = rtmidi.get_api_display_name(api)
        try:
            with _quiet_c_stderr():
                inputs = _port_names(api, "in")
                outputs = _port_names(api, "out")
        except rtmidi.RtMidiError as exc:  # also SystemError / OSError subclasses of it
            reports.append(MidiReport(api=name, available=False, error=str(exc) or type(exc).__name__))
        else:
            reports.append(MidiReport(api=name, available=True, inputs=inputs, outputs=outputs))
    return reports


def collect() -> dict:
    """Everything `main` shows, as plain data: ``{"audio": {...}, "midi": [{...}, ...]}``."""
    return {"audio": asdict(list_audio_devices()), "midi": [asdict(report) for report in list_midi_ports()]}


# ---------------------------------------------------------------------------- output


def _table(heads: list[str], rows: list[list[str]], right: set[int]) -> list[str]:
    widths = [max(len(heads[i]), *(len(row[i]) for row in rows)) for i in range(len(heads))]

    def line(cells):
        padded = (c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths)))
        return "  ".join(padded).rstrip()

    return [line(heads), *(line(row) for row in rows)]


def format_table(data: dict) -> str:
    """`collect`'s data as aligned plain text (no escape codes)."""
    lines = []
    audio = data["audio"]
    if not audio["available"]:
        lines.append(f"Audio: PortAudio not available ({audio['error']})")
    elif not audio["devices"]:
        apis = ", ".join(audio["hostapis"]) or "none"
        lines.append(f"Audio devices ({audio['portaudio_version']}): none (host APIs: {apis})")
    else:
        lines.append(f"Audio devices ({audio['portaudio_version']}):")
        rows = []
        for d in audio["devices"]:
            default = "/".join(k for k, on in (("in", d["default_input"]), ("out", d["default_output"])) if on)
            rows.append([str(d["index"]), d["name"], d["hostapi"], str(d["max_input_channels"]),
                         str(d["max_output_channels"]), f"{d['default_samplerate_hz']:.0f}", default])
        heads = ["#", "name", "host API", "in", "out", "rate Hz", "default"]
        lines += ["  " + line for line in _table(heads, rows, right={0, 3, 4, 5})]
    for midi in data["midi"]:
        if not midi["available"]:
            lines.append(f"MIDI ({midi['api']}): not available ({midi['error']})")
            continue
        if not midi["inputs"] and not midi["outputs"]:
            lines.append(f"MIDI ({midi['api']}): no ports")
            continue
        lines.append(f"MIDI ports ({midi['api']}):")
        rows = [[str(i), "in", name] for i, name in enumerate(midi["inputs"])]
        rows += [[str(i), "out", name] for i, name in enumerate(midi["outputs"])]
        lines += ["  " + line for line in _table(["#", "dir", "name"], rows, right={0})]
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``mirage devices``."""
    parser.add_argument("--json", action="store_true",
                        help="print JSON instead of a table (default: %(default)s)")


def main(args: argparse.Namespace) -> int:
    """List audio devices and MIDI ports on stdout; exit code 0."""
    data = collect()
    if getattr(args, "json", False):
        print(json.dumps(data, indent=2))
    else:
        print(format_table(data))
    return EXIT_OK


if __name__ == "__main__":
    _parser = argparse.ArgumentParser(prog="mirage devices", description=__doc__.split("\n\n")[0])
    add_arguments(_parser)
    sys.exit(main(_parser.parse_args()))
