"""The OSC wire choices a user can make — profile names and datagram sizes — without the encoders.

Kept apart from `mirage.osc.encode` (whose Numba kernels compile, or load from the cache, on
import) so that building the command line and checking arguments costs no compilation.
"""

from __future__ import annotations

PROFILE_README = "readme"
PROFILE_MIRAGE_CODE = "mirage-code"
OSC_PROFILES = (PROFILE_README, PROFILE_MIRAGE_CODE)
DEFAULT_OSC_PROFILE = PROFILE_README

DEFAULT_MAX_DATAGRAM_BYTES = 1472
"""Largest UDP payload that fits one Ethernet frame (1500 - 20 IPv4 - 8 UDP)."""
MAX_UDP_PAYLOAD_BYTES = 65507
"""Largest payload of one IPv4 UDP datagram."""
