"""MIRAGE -> TouchDesigner: the callbacks of an OSC In DAT (see README.md beside this file).

TouchDesigner calls `onReceiveOSC` once per OSC message (turn on the DAT's "Split Bundle into
Messages"). It writes what MIRAGE sends into three Table DATs next to the OSC In DAT:

    mirage_tracks   one row per track: track instrument centroid bandwidth flatness rolloff
                    pitch1 pitch2 pitch3 pitch4   (Hz except flatness; a pitch of 0 = none)
    mirage_mood     arousal valence               (each in [-1, 1], every 0.5 s)
    mirage_status   xruns drops osc_errors emotion_restarts device_losses device

Both OSC profiles are understood: ``readme`` (/Lfmsg_chN with 8 floats, /Hfmsg_ch0) and
``mirage-code`` (/LFmsg_chN with the instrument profile name, 4 floats and 0-4 pitches,
/HFmsg_ch0). The parsing is plain Python (`parse_mirage_message`), so it can be tested and
reused outside TouchDesigner; only `onReceiveOSC` touches TouchDesigner (its global `op`).
"""

FEATURES = ("centroid", "bandwidth", "flatness", "rolloff", "pitch1", "pitch2", "pitch3", "pitch4")
TRACK_COLUMNS = ("track", "instrument") + FEATURES
MOOD_COLUMNS = ("arousal", "valence")
STATUS_COLUMNS = ("xruns", "drops", "osc_errors", "emotion_restarts", "device_losses", "device")

TRACKS_TABLE = "mirage_tracks"
MOOD_TABLE = "mirage_mood"
STATUS_TABLE = "mirage_status"

_FEATURE_PREFIXES = {"/Lfmsg_ch": "readme", "/LFmsg_ch": "mirage-code"}
_MOOD_ADDRESSES = ("/Hfmsg_ch0", "/HFmsg_ch0")
_STATUS_ADDRESS = "/mirage/status"


def parse_mirage_message(address, args):
    """One MIRAGE OSC message -> ``(kind, track, values)``, or None if it is not MIRAGE's.

    kind ``"track"``: `track` is the 0-based track number, `values` a dict with
    ``instrument`` ("" in the readme profile) and the 8 `FEATURES` (missing pitches are 0.0).
    kind ``"mood"``: `track` is None, `values` ``{"arousal", "valence"}``.
    kind ``"status"``: `track` is None, `values` the 6 `STATUS_COLUMNS`.
    """
    args = list(args)
    for prefix, profile in _FEATURE_PREFIXES.items():
        if address.startswith(prefix) and address[len(prefix):].isdigit():
            instrument = ""
            if profile == "mirage-code":
                if not args or not isinstance(args[0], str):
                    return None
                instrument, args = args[0], args[1:]
            if not 4 <= len(args) <= 8:
                return None
            numbers = [float(v) for v in args] + [0.0] * (8 - len(args))
            return "track", int(address[len(prefix):]), {"instrument": instrument, **dict(zip(FEATURES, numbers))}
    if address in _MOOD_ADDRESSES and len(args) == 2:
        return "mood", None, dict(zip(MOOD_COLUMNS, (float(args[0]), float(args[1]))))
    if address == _STATUS_ADDRESS and len(args) == 6:
        return "status", None, dict(zip(STATUS_COLUMNS, [int(v) for v in args[:5]] + [str(args[5])]))
    return None


def store(parsed, tracks, mood, status):
    """Write a parsed message into the Table DATs (or anything with TouchDesigner's table
    API: ``numRows``, ``appendRow(list)``, ``table[row, col] = value``, ``clear()``)."""
    kind, track, values = parsed
    if kind == "track":
        if tracks.numRows == 0:
            tracks.appendRow(list(TRACK_COLUMNS))
        while tracks.numRows < track + 2:  # row 0 is the header; track n is row n + 1
            tracks.appendRow([tracks.numRows - 1, ""] + [0.0] * len(FEATURES))
        row = track + 1
        tracks[row, 0] = track
        for col, name in enumerate(TRACK_COLUMNS[1:], start=1):
            tracks[row, col] = values[name]
    else:
        table, columns = (mood, MOOD_COLUMNS) if kind == "mood" else (status, STATUS_COLUMNS)
        table.clear()
        table.appendRow(list(columns))
        table.appendRow([values[name] for name in columns])


def onReceiveOSC(dat, rowIndex, message, byteData, timeStamp, address, args, peer):
    """TouchDesigner's OSC In DAT callback: one call per message received."""
    parsed = parse_mirage_message(address, args)
    if parsed is None:
        return
    store(parsed, op(TRACKS_TABLE), op(MOOD_TABLE), op(STATUS_TABLE))  # noqa: F821 -- `op` is TouchDesigner's
