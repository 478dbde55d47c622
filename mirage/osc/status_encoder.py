"""The ``/mirage/status`` message: five int32 counters and the audio device's state.

Sent by the OSC writer once a second and at once when the device is lost or back
(`mirage.engine.osc_writer`). Rare and small, so built in plain Python per call from the OSC
primitives (`mirage.osc.primitives`), not from a template; the bytes are python-osc's
``OscMessageBuilder``'s (``tests/test_osc_encode.py``). Arguments (`mirage.osc.addresses`):
xruns, dropped hops, OSC send errors, emotion-worker restarts, audio-device losses, then the
device state (``"running"`` or ``"lost"``).
"""

from __future__ import annotations

from mirage.errors import ParameterError
from mirage.osc.addresses import STATUS_ADDRESS, STATUS_ARGUMENTS, STATUS_TYPE_TAGS
from mirage.osc.primitives import message_head, osc_int32, osc_string

__all__ = ["encode_status"]

_N_COUNTERS = STATUS_TYPE_TAGS.count("i")
_HEAD = message_head(STATUS_ADDRESS, "," + STATUS_TYPE_TAGS)


def encode_status(counters, device_state: str) -> bytes:
    """One ``/mirage/status`` datagram (a message, not a bundle).

    Parameters
    ----------
    counters : sequence of 5 int
        xruns, dropped hops, OSC send errors, emotion restarts, audio-device losses
        (`STATUS_ARGUMENTS` order), each in int32 range.
    device_state : str
        ``"running"`` or ``"lost"`` (`mirage.osc.addresses.STATUS_DEVICE_STATES`).

    Raises
    ------
    ParameterError
        On a wrong number of counters, a counter outside int32 or a NUL in the state.
    """
    if len(counters) != _N_COUNTERS:
        raise ParameterError(f"/mirage/status takes {_N_COUNTERS} counters ({', '.join(STATUS_ARGUMENTS[:-1])}),"
                             f" got {len(counters)}")
    return _HEAD + b"".join(osc_int32(value) for value in counters) + osc_string(device_state)
