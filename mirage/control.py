"""Control input of `mirage run`: commands from the artists' software (OSC) or a MIDI controller.

OSC: ``mirage run --control-port PORT`` listens for OSC on UDP ``--control-host:PORT`` (default
all interfaces: the visuals usually run on another machine) in a daemon thread. Messages
(plain or in bundles, any arguments ignored):

=========================  =================================================================
address                    effect
=========================  =================================================================
``/mirage/emotion/reset``  the mood starts a new context at the hop being captured, as if
                           the mix began there (a new song in a live set): the emotion
                           features otherwise remember the last minutes of the mix
                           (:meth:`mirage.emotion.worker.EmotionSupervisor.request_reset`)
=========================  =================================================================

Commands act when they arrive (bundle time tags are not scheduled). An unknown address or a
datagram that is not OSC is counted and logged once per kind, never raised: a typo in a
patch must not stop the show. The thread only parses datagrams and sets counters; it takes no
lock the audio callback or the OSC writer could wait on.

MIDI: ``mirage run --control-midi NAME`` connects to a MIDI input port (python-rtmidi; any
back-end, e.g. JACK or ALSA; see ``mirage devices``). A **Program Change** (any channel) or
a **Song Select** — what a stage foot controller sends when the next song is called up — is
the emotion reset; every other message (notes, controllers, clock) is counted and ignored.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable

from mirage.osc.addresses import EMOTION_RESET_ADDRESS
from mirage.errors import InputError, ParameterError

log = logging.getLogger("mirage.control")

RESET_EMOTION = EMOTION_RESET_ADDRESS
MIDI_PROGRAM_CHANGE = 0xC0     # status 0xC0–0xCF: program change on channel 1–16
MIDI_SONG_SELECT = 0xF3
DEFAULT_HOST = "0.0.0.0"
POLL_S = 0.2          # how often the thread looks at its stop flag
MAX_DATAGRAM = 65536


class ControlReceiver:
    """Receive OSC commands on ``host:port`` and call ``handlers[address]()`` for each.

    ``port`` 0 picks a free port (``self.port`` tells which). Binding fails with a one-line
    :class:`~mirage.errors.InputError` (port in use, no such address).
    """

    def __init__(self, port: int, handlers: dict[str, Callable[[], object]], host: str = DEFAULT_HOST):
        if not 0 <= port < 65536:
            raise ParameterError(f"--control-port must be within 0..65535 (0: a free port), got {port}")
        self.handlers = dict(handlers)
        self.received = {address: 0 for address in self.handlers}
        self.ignored = 0
        self._warned: set[str] = set()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            self._sock.bind((host, port))
        except OSError as exc:
            self._sock.close()
            raise InputError(f"--control-port {port}: cannot listen on {host}:{port} "
                             f"({exc.strerror or exc})") from None
        self._sock.settimeout(POLL_S)
        self.host, self.port = host, self._sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="mirage-control", daemon=True)

    def start(self) -> ControlReceiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop the thread (if started) and close the socket."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(2 * POLL_S + 1.0)
        self._sock.close()

    def __enter__(self) -> ControlReceiver:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                datagram = self._sock.recv(MAX_DATAGRAM)
            except TimeoutError:
                continue
            except OSError:
                if self._stop.is_set():
                    return
                continue
            self.handle(datagram)

    def handle(self, datagram: bytes) -> None:
        """Act on one datagram (the thread's work; callable directly)."""
        from pythonosc.osc_packet import OscPacket, ParseError

        try:
            messages = [timed.message for timed in OscPacket(datagram).messages]
        except (ParseError, ValueError, IndexError, TypeError):
            self._ignore("not OSC", f"control: ignored a datagram that is not OSC ({len(datagram)} bytes)")
            return
        for message in messages:
            handler = self.handlers.get(message.address)
            if handler is None:
                self._ignore(message.address, f"control: ignored {message.address} "
                                              f"(known: {', '.join(self.handlers)})")
                continue
            self.received[message.address] += 1
            try:
                handler()
            except Exception as exc:  # a failing command must not end the control thread
                log.error("control: %s failed: %s", message.address, exc)

    def _ignore(self, kind: str, text: str) -> None:
        self.ignored += 1
        if kind not in self._warned:
            self._warned.add(kind)
            log.warning(text)


class MidiControl:
    """Call ``on_reset()`` for every Program Change or Song Select arriving on the MIDI input
    port named ``spec`` (:func:`mirage.midi_ports.find_midi_input`; InputError if none or
    several match). Messages arrive on RtMidi's own thread."""

    def __init__(self, spec: str, on_reset: Callable[[], object]):
        import rtmidi

        from mirage.midi_ports import find_midi_input

        api, index, self.port = find_midi_input(spec)
        self.on_reset = on_reset
        self.resets = 0
        self.ignored = 0
        self._in = rtmidi.MidiIn(api, name="mirage")
        self._in.ignore_types(sysex=True, timing=True, active_sense=True)
        self._in.set_callback(self._on_message)
        try:
            self._in.open_port(index, "control")
        except rtmidi.RtMidiError as exc:
            self._in.delete()
            raise InputError(f"--control-midi {spec}: cannot open MIDI input {self.port!r} ({exc})") from None

    def _on_message(self, event, _data=None) -> None:
        status = event[0][0] if event[0] else 0
        if status & 0xF0 == MIDI_PROGRAM_CHANGE or status == MIDI_SONG_SELECT:
            self.resets += 1
            try:
                self.on_reset()
            except Exception as exc:  # a failing command must not reach RtMidi's thread
                log.error("control: MIDI reset failed: %s", exc)
        else:
            self.ignored += 1

    def stop(self) -> None:
        self._in.cancel_callback()
        self._in.close_port()
        self._in.delete()

    def __enter__(self) -> MidiControl:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
