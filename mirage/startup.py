"""What ``mirage run`` tells the operator when it starts: source, OSC addresses, input mapping.

The person patching visuals needs, before the first hop, the exact addresses and argument
counts going out and where to, and — when ``--channels`` picks inputs — which sound-card
input became which track (and so which address). The address facts come from the encoders
that will send them (`mirage.osc.hop_encoder`, `mirage.osc.emotion_encoder`) and from `mirage.osc.addresses`, never spelled
here, so these lines cannot drift from the wire.

Example (``mirage run -c 3,5``)::

    live: system: 2 track(s) at 48000 Hz, hop 512, OSC profile readme
    OSC out: /Lfmsg_ch0..1 (8 floats), /Hfmsg_ch0 (2 floats), /mirage/status (5 ints, 1 string) → 127.0.0.1:12345
    inputs: input 3 → track 0 (/Lfmsg_ch0), input 5 → track 1 (/Lfmsg_ch1)
"""

from __future__ import annotations

from collections.abc import Sequence

from mirage.osc.addresses import STATUS_ADDRESS, STATUS_TYPE_TAGS

STOP_HINT = "Ctrl-C to stop"


def startup_lines(*, source_label: str, sr_hz: float, hop_samples: int, hop_encoder, emotion_encoder,
                  emotion: bool, targets: Sequence[str], input_channels: Sequence[int] | None = None) -> list[str]:
    """The start-up lines, without the ``mirage:`` prefix (the log format adds it).

    Parameters
    ----------
    hop_encoder, emotion_encoder
        The encoders the engine will send with (their ``describe()`` / ``address(n)``).
    emotion : bool
        Whether the emotion messages are sent at all.
    targets : sequence of str
        The OSC destinations, ``host:port``.
    input_channels : sequence of int, optional
        The 0-based device input of each track, given when the operator chose them
        (``--channels``); adds the ``inputs:`` line.
    """
    n_tracks = hop_encoder.n_tracks
    lines = [f"{source_label}: {n_tracks} track(s) at {sr_hz:g} Hz, hop {hop_samples}, "
             f"OSC profile {hop_encoder.profile}{'' if emotion else ', no emotion'}"]
    messages = [hop_encoder.describe()]
    if emotion:
        messages.append(emotion_encoder.describe())
    messages.append(f"{STATUS_ADDRESS} ({STATUS_TYPE_TAGS.count('i')} ints, {STATUS_TYPE_TAGS.count('s')} string)")
    unbundled = "" if getattr(hop_encoder, "bundle", True) else " (plain messages, no bundles)"
    lines.append(f"OSC out: {', '.join(messages)} → {', '.join(targets)}{unbundled}")
    if input_channels is not None:
        lines.append("inputs: " + ", ".join(f"input {column + 1} → track {track} ({hop_encoder.address(track)})"
                                            for track, column in enumerate(input_channels)))
    return lines
