"""All the control inputs of one ``mirage run``, opened together from its options.

`open_control_inputs` opens, in order, the OSC receiver (``--control-port``), the MIDI input
(``--control-midi``), the OSCQuery server (``--oscquery-port``, by default the control port's
number over TCP, unless ``--no-oscquery``) and the zeroconf advertisement (unless
``--no-zeroconf``), all on ``--control-host`` (default 127.0.0.1), every one on the given
`contextlib.ExitStack` so they close with the run. A taken port or a missing MIDI input is a
one-line `InputError` (exit 2) before the engine starts, not a dead control found out on stage.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import socket
from dataclasses import dataclass, field

from mirage.control.allow_list import AllowList
from mirage.control.bad_input import BadInputLog
from mirage.control.commands import ControlCommands
from mirage.control_target import ControlTarget

log = logging.getLogger("mirage.control")

SERVICE_NAME = "MIRAGE"


@dataclass
class ControlInputs:
    commands: ControlCommands
    receiver: object | None = None     # mirage.control.osc_receiver.ControlReceiver
    midi: object | None = None         # mirage.control.midi.MidiControl
    oscquery: object | None = None     # mirage.control.oscquery_server.OscQueryServer
    advert: object | None = None       # mirage.control.zeroconf_advert.ZeroconfAdvert
    lines: list[str] = field(default_factory=list)

    def stats(self) -> dict:
        """``mirage run --stats-json``'s ``control`` entry (only the inputs that ran)."""
        out = {**self.commands.stats()}
        if self.receiver is not None:
            out["osc"] = self.receiver.stats()
        if self.midi is not None:
            out["midi"] = self.midi.stats()
        if self.oscquery is not None:
            out["oscquery"] = {"port": self.oscquery.port, "requests": dict(self.oscquery.requests)}
        if self.advert is not None:
            out["zeroconf"] = {"registered": self.advert.registered.is_set(), "error": self.advert.error}
        return out


def open_control_inputs(stack: contextlib.ExitStack, args: argparse.Namespace, target: ControlTarget, *,
                        osc_profile: str, sr_hz: float) -> ControlInputs | None:
    """Open what the options ask for; None if no control input is asked for."""
    from mirage.osc.sender import parse_target

    if args.control_port is None and args.control_midi is None:
        return None
    inputs = ControlInputs(ControlCommands(target, BadInputLog()))
    host = args.control_host
    if args.control_port is not None:
        from mirage.control.osc_receiver import ControlReceiver

        # resolved once: sendto with a host name would look it up at every answer
        reply_to = [(socket.gethostbyname(host), port) for host, port in map(parse_target, args.control_reply_to)]
        inputs.receiver = stack.enter_context(ControlReceiver(
            args.control_port, inputs.commands, host=host, allow=AllowList(args.control_allow), reply_to=reply_to))
        allow = inputs.receiver.allow
        inputs.lines.append(f"control: OSC in on udp {host}:{inputs.receiver.port}, senders: {allow}; "
                            f"state answered to the sender{''.join(f', {h}:{p}' for h, p in reply_to)}")
        if host not in ("127.0.0.1", "localhost", "::1") and not allow:
            inputs.lines.append(f"control: anyone who can reach {host} may send commands "
                                f"(--control-allow NETWORK limits them)")
    if args.control_midi is not None:
        from mirage.control.midi import MidiControl

        on_state = inputs.receiver.send_state if inputs.receiver is not None else None
        inputs.midi = stack.enter_context(MidiControl(args.control_midi, inputs.commands,
                                                      midi_map=args.control_midi_map, on_state=on_state))
        inputs.lines.append(f"control: MIDI in from {inputs.midi.port!r} "
                            f"({', '.join(f'{k}: {v}' for k, v in inputs.midi.midi_map.items())})")
    if inputs.receiver is not None and not args.no_oscquery:
        from mirage.control.oscquery_namespace import host_info, namespace
        from mirage.control.oscquery_server import OscQueryServer

        http_port = inputs.receiver.port if args.oscquery_port is None else args.oscquery_port
        info = host_info(name=SERVICE_NAME, osc_port=inputs.receiver.port,
                         osc_ip=None if host in ("0.0.0.0", "") else host)
        commands, rhythm = inputs.commands, bool(getattr(args, "rhythm", False))
        inputs.oscquery = stack.enter_context(OscQueryServer(
            host, http_port,
            lambda: namespace(commands.state(), osc_profile=osc_profile, sr_hz=sr_hz, rhythm=rhythm), info,
            allow=inputs.receiver.allow))
        inputs.lines.append(f"control: OSCQuery namespace on http://{host}:{inputs.oscquery.port}/")
        if not args.no_zeroconf:
            from mirage.control.zeroconf_advert import ZeroconfAdvert

            name = f"{SERVICE_NAME} {socket.gethostname()} {inputs.receiver.port}"
            inputs.advert = stack.enter_context(ZeroconfAdvert(name, host, http_port=inputs.oscquery.port,
                                                               osc_port=inputs.receiver.port))
    return inputs
