"""The controller's OSC namespace: the command addresses MIRAGE receives on ``--control-port``
and the state addresses it answers with. One place for the spelling (the dispatcher
`mirage.control.commands`, the OSCQuery namespace `mirage.control.oscquery_namespace`, the
README's table and the tests all read it).

=================================  ======  ===============================================
command (received)                 types   effect, and the state sent back to the sender
=================================  ======  ===============================================
``/mirage/transport/start``        (none)  song plays / live input is sent → ``transport``
``/mirage/transport/stop``         (none)  song pauses / live input is not sent → ``transport``
``/mirage/transport``              i       1 start, 0 stop (a toggle button) → ``transport``
``/mirage/song``                   i | s   song by 0-based index or by name → ``song``
``/mirage/song/next``              (none)  the next song (stays at the last) → ``song``
``/mirage/song/prev``              (none)  the previous song (stays at the first) → ``song``
``/mirage/track/<n>/profile``      s       instrument profile of track n (0-based) → ``track``
``/mirage/emotion/reset``          (none)  a new mood context → ``emotion/reset``
``/mirage/state``                  (none)  nothing changes; every state message is sent
=================================  ======  ===============================================

State (sent back): ``/mirage/state/song i s`` (index, name), ``/mirage/state/transport i``
(1 running, 0 stopped), ``/mirage/state/track/<n>/profile s``, ``/mirage/state/emotion/reset i``
(resets requested so far), and with ``/mirage/state`` also ``/mirage/state/songs s...`` (the
setlist's names) and ``/mirage/state/tracks i`` (the track count).
"""

from __future__ import annotations

import re

from mirage.osc.addresses import EMOTION_RESET_ADDRESS

TRANSPORT_START = "/mirage/transport/start"
TRANSPORT_STOP = "/mirage/transport/stop"
TRANSPORT = "/mirage/transport"
SONG = "/mirage/song"
SONG_NEXT = "/mirage/song/next"
SONG_PREV = "/mirage/song/prev"
TRACK_PROFILE = "/mirage/track/{}/profile"
EMOTION_RESET = EMOTION_RESET_ADDRESS
STATE_QUERY = "/mirage/state"

TRACK_PROFILE_PATTERN = re.compile(r"/mirage/track/([0-9]{1,6})/profile\Z")

STATE_SONG = "/mirage/state/song"
STATE_SONGS = "/mirage/state/songs"
STATE_TRANSPORT = "/mirage/state/transport"
STATE_TRACKS = "/mirage/state/tracks"
STATE_TRACK_PROFILE = "/mirage/state/track/{}/profile"
STATE_EMOTION_RESET = "/mirage/state/emotion/reset"

COMMAND_ADDRESSES = (TRANSPORT_START, TRANSPORT_STOP, TRANSPORT, SONG, SONG_NEXT, SONG_PREV,
                     TRACK_PROFILE, EMOTION_RESET, STATE_QUERY)
"""Every command, ``{}`` standing for a track number (the keys of the received counts)."""

DESCRIPTIONS = {
    TRANSPORT_START: "start: a recorded song plays, live input is sent",
    TRANSPORT_STOP: "stop: a recorded song pauses, live input is not sent",
    TRANSPORT: "1 starts, 0 stops the transport",
    SONG: "change to the song with this 0-based index or this name",
    SONG_NEXT: "the next song of the setlist (stays at the last)",
    SONG_PREV: "the previous song of the setlist (stays at the first)",
    TRACK_PROFILE: "instrument profile (pitch range) of this track",
    EMOTION_RESET: "a new mood context from now, as if the mix began here",
    STATE_QUERY: "send every /mirage/state/* message back to the sender",
}
