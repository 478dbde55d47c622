"""``mirage view``: a live web page for the rig, fed by any MIRAGE OSC stream.

The rooms, in the order the data flows::

    decode.py        one OSC message -> TrackFeatures | Mood | Status | TrackRhythm | Pulse (pure)
    osc_listener.py  the UDP socket: datagrams (bundles unpacked by python-osc) -> decode -> state
    state.py         latest values per track, the mood trail, the status; coalescing and the
                     throttle that bounds what reaches the browser (~30 pushes/s)
    notes.py         a pitch in Hz as a note name with cents, "A4 +3c"
    server.py        the aiohttp app: the page, its static files and the WebSocket fan-out
    static/          index.html, view.js, view.css: the page, self-contained (no CDN)

The WebSocket's JSON messages are documented in the README ("mirage view") and in
`mirage.view.state`; the page doubles as a starting point for web visuals.
"""
