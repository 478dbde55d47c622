"""The MIDI control input of ``mirage run --control-midi NAME`` (python-rtmidi, any back-end).

What a stage MIDI device sends, mapped to the controller's actions (`MIDI_ACTIONS`) by a
dict the rig file may replace (`DEFAULT_MIDI_MAP`)::

    message          status      default action
    program_change   0xC0-0xCF   song        (program n → song n; any channel)
    song_select      0xF3        song        (song n → song n)
    start            0xFA        transport_start
    continue         0xFB        transport_start
    stop             0xFC        transport_stop

Actions: ``song`` (the message's number is the 0-based song index), ``song_next``,
``song_prev``, ``transport_start``, ``transport_stop``, ``emotion_reset``, ``ignore``. A
message kind missing from the map is ignored. Every other message (notes, controllers, clock)
is counted and ignored. Messages arrive on RtMidi's own thread; the actions go through the
same `mirage.control.commands.ControlCommands` as OSC (its lock serialises the two), and the
new state goes to the OSC ``--control-reply-to`` destinations when there are any.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from mirage.control.commands import ControlCommands, Message
from mirage.errors import InputError, ParameterError

log = logging.getLogger("mirage.control")

MIDI_PROGRAM_CHANGE = 0xC0     # status 0xC0–0xCF: program change on channel 1–16
MIDI_SONG_SELECT = 0xF3
MIDI_START, MIDI_CONTINUE, MIDI_STOP = 0xFA, 0xFB, 0xFC
MIDI_ACTIONS = ("song", "song_next", "song_prev", "transport_start", "transport_stop", "emotion_reset", "ignore")
MIDI_MESSAGES = ("program_change", "song_select", "start", "continue", "stop")
DEFAULT_MIDI_MAP = {
    "program_change": "song",
    "song_select": "song",
    "start": "transport_start",
    "continue": "transport_start",
    "stop": "transport_stop",
}
"""MIDI message kind → action; what `MidiControl` does without a ``midi_map``."""


def check_midi_map(midi_map: Mapping[str, str]) -> dict[str, str]:
    """``midi_map`` as a dict if every key is one of `MIDI_MESSAGES` and every value one of
    `MIDI_ACTIONS`; ParameterError naming the first wrong entry."""
    for message, action in midi_map.items():
        if message not in MIDI_MESSAGES:
            raise ParameterError(f"MIDI map: unknown message {message!r} (choose from {', '.join(MIDI_MESSAGES)})")
        if action not in MIDI_ACTIONS:
            raise ParameterError(f"MIDI map: {message} = {action!r} is not an action "
                                 f"(choose from {', '.join(MIDI_ACTIONS)})")
    return dict(midi_map)


def midi_message_kind(message: list[int]) -> str | None:
    """The `MIDI_MESSAGES` kind of a raw MIDI message, or None for any other message."""
    status = message[0] if message else 0
    if status & 0xF0 == MIDI_PROGRAM_CHANGE:
        return "program_change"
    return {MIDI_SONG_SELECT: "song_select", MIDI_START: "start", MIDI_CONTINUE: "continue",
            MIDI_STOP: "stop"}.get(status)


class MidiControl:
    """Act on the messages arriving on the MIDI input port named ``spec``
    (:func:`mirage.midi_ports.find_midi_input`; InputError if none or several match).
    ``on_state`` receives the state messages of each change (e.g. to send them over OSC)."""

    def __init__(self, spec: str, commands: ControlCommands, midi_map: Mapping[str, str] | None = None,
                 on_state: Callable[[list[Message]], object] | None = None):
        import rtmidi

        from mirage.midi_ports import find_midi_input

        self.midi_map = check_midi_map(DEFAULT_MIDI_MAP if midi_map is None else midi_map)
        api, index, self.port = find_midi_input(spec)
        self.commands, self.on_state = commands, on_state
        self.acted = {message: 0 for message in MIDI_MESSAGES}
        self.ignored = 0
        self._in = rtmidi.MidiIn(api, name="mirage")
        # clock and time code are ignored by RtMidi itself; start/stop/continue come through
        self._in.ignore_types(sysex=True, timing=True, active_sense=True)
        self._in.set_callback(self._on_message)
        try:
            self._in.open_port(index, "control")
        except rtmidi.RtMidiError as exc:
            self._in.delete()
            raise InputError(f"--control-midi {spec}: cannot open MIDI input {self.port!r} ({exc})") from None

    def _on_message(self, event, _data=None) -> None:
        message = event[0]
        kind = midi_message_kind(message)
        action = self.midi_map.get(kind, "ignore") if kind is not None else "ignore"
        if action == "ignore":
            self.ignored += 1
            return
        self.acted[kind] += 1
        value = message[1] if len(message) > 1 else 0
        try:
            state = self.commands.act(action, value)
            if state and self.on_state is not None:
                self.on_state(state)
        except Exception as exc:  # nothing may reach RtMidi's thread
            log.error("control: MIDI %s failed: %s", kind, exc)

    def stats(self) -> dict:
        return {"port": self.port, "acted": {k: n for k, n in self.acted.items() if n}, "ignored": self.ignored}

    def stop(self) -> None:
        self._in.cancel_callback()
        self._in.close_port()
        self._in.delete()

    def __enter__(self) -> MidiControl:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
