"""The MIDI ports of every RtMidi back-end compiled into python-rtmidi, and finding one by name.

ALSA sequencer and JACK on Linux (CoreMIDI, Windows MM elsewhere). A back-end that cannot
start (no ``/dev/snd/seq`` in a container, no JACK server running) is reported as
unavailable with its reason. JACK clients are opened with "do not start a server", so
listing never starts one. The C libraries' own stderr chatter is dropped while probing,
since the exception already carries the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mirage.errors import InputError
from mirage.quiet_c_stderr import quiet_c_stderr


@dataclass
class MidiReport:
    """One RtMidi back-end (``api``: "ALSA", "JACK", ...) and its ports, or why it is unavailable."""

    api: str
    available: bool
    error: str | None = None
    inputs: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)


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

    found = []
    for api in rtmidi.get_compiled_api():
        if api == rtmidi.API_RTMIDI_DUMMY:
            continue
        try:
            with quiet_c_stderr():
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
            with quiet_c_stderr():
                inputs = _port_names(api, "in")
                outputs = _port_names(api, "out")
        except rtmidi.RtMidiError as exc:  # also SystemError / OSError subclasses of it
            reports.append(MidiReport(api=name, available=False, error=str(exc) or type(exc).__name__))
        else:
            reports.append(MidiReport(api=name, available=True, inputs=inputs, outputs=outputs))
    return reports
