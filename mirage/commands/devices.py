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
import json
import sys
from dataclasses import asdict

from mirage.audio.device_list import list_audio_devices
from mirage.errors import EXIT_OK
from mirage.midi_ports import list_midi_ports


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
