"""Control inputs of `mirage run`: commands from the artists' software (OSC), a MIDI
controller, and the OSCQuery namespace that lets visuals and stage tools discover them.

One concept per module:

=========================  =================================================================
module                     what
=========================  =================================================================
`addresses`                the command and state addresses (the namespace's spelling)
`commands`                 the controller: a command in, a `ControlTarget` call, the state out
`osc_receiver`             the UDP socket and its thread (``--control-port``), replies
`midi`                     the MIDI input (``--control-midi``) and its message → action map
`allow_list`               ``--control-allow`` networks
`bad_input`                bad input counted by kind, the first of each kind logged
`rate_limit`               the token bucket that keeps a flood from hogging the GIL
`oscquery_namespace`       the OSCQuery JSON (what MIRAGE receives and sends)
`oscquery_server`          the OSCQuery HTTP server (``--oscquery-port``)
`zeroconf_advert`          ``_oscjson._tcp`` / ``_osc._udp`` advertisements
`inputs`                   all of the above opened together from ``mirage run``'s options
=========================  =================================================================

The engine is reached only through `mirage.control_target.ControlTarget`. Safe by default:
everything binds 127.0.0.1 unless ``--control-host`` says otherwise.
"""

from mirage.control.osc_receiver import DEFAULT_HOST, ControlReceiver
from mirage.control.midi import DEFAULT_MIDI_MAP, MidiControl

__all__ = ["DEFAULT_HOST", "DEFAULT_MIDI_MAP", "ControlReceiver", "MidiControl"]
