"""MIRAGE -> TouchDesigner: the callbacks of an OSC In DAT (see README.md beside this file).

TouchDesigner calls `onReceiveOSC` once per OSC message (turn on the DAT's "Split Bundle into
Messages"). It writes what MIRAGE sends into three Table DATs next to the OSC In DAT:

    mirage_tracks   one row per track: track instrument centroid bandwidth flatness rolloff
                    pitch1 pitch2 pitch3 pitch4   (Hz except flatness; a pitch of 0 = none)
    mirage_mood     arousal valence               (each in [-1, 1], every 0.5 s)
    mirage_status   xruns drops osc_errors emotion_restarts device_losses device

and, with ``mirage run --rhythm``, two more (each optional: a table that does not exist is
skipped):

    mirage_rhythm   one row per track: track level level_db bass mid high onset onsets
                    (level, bass, mid, high 0..1 every hop; onset = the strength of the track's
                    latest onset, onsets = how many so far: watch it change to trigger)
    mirage_tempo    bpm confidence phase beat beat_bpm   (phase 0..1 every hop; beat = the
                    index of the latest beat, sent ~half a beat ahead of its time tag)

Both OSC profiles are understood: ``readme`` (/Lfmsg_chN with 8 floats, /Hfmsg_ch0) and
``mirage-code`` (/LFmsg_chN with the instrument profile name, 4 floats and 0-4 pitches,
/HFmsg_ch0), and the rhythm layer (/mirage/track/N/level, /bands, /onset, /mirage/tempo,
/mirage/phase, /mirage/beat). The parsing is plain Python (`parse_mirage_message`), so it can be tested and
reused outside TouchDesigner; only `onReceiveOSC` touches TouchDesigner (its global `op`).
"""

FEATURES = ("centroid", "bandwidth", "flatness", "rolloff", "pitch1", "pitch2", "pitch3", "pitch4")
TRACK_COLUMNS = ("track", "instrument") + FEATURES
MOOD_COLUMNS = ("arousal", "valence")
STATUS_COLUMNS = ("xruns", "drops", "osc_errors", "emotion_restarts", "device_losses", "device")

RHYTHM_COLUMNS = ("track", "level", "level_db", "bass", "mid", "high", "onset", "onsets")
TEMPO_COLUMNS = ("bpm", "confidence", "phase", "beat", "beat_bpm")

TRACKS_TABLE = "mirage_tracks"
MOOD_TABLE = "mirage_mood"
STATUS_TABLE = "mirage_status"
RHYTHM_TABLE = "mirage_rhythm"
TEMPO_TABLE = "mirage_tempo"

_RHYTHM_FIELDS = {"level": ("level", "level_db"), "bands": ("bass", "mid", "high"), "onset": ("onset",)}
_TEMPO_FIELDS = {"/mirage/tempo": ("bpm", "confidence"), "/mirage/phase": ("phase",), "/mirage/beat": ("beat", "beat_bpm")}
_onsets_so_far = {}  # track -> onsets received

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
    parts = address.split("/")  # "", "mirage", "track", N, kind
    if len(parts) == 5 and parts[1:3] == ["mirage", "track"] and parts[3].isdigit() and parts[4] in _RHYTHM_FIELDS:
        fields = _RHYTHM_FIELDS[parts[4]]
        if len(args) != len(fields):
            return None
        return "rhythm", int(parts[3]), dict(zip(fields, (float(v) for v in args)))
    if address in _TEMPO_FIELDS and len(args) == len(_TEMPO_FIELDS[address]):
        values = dict(zip(_TEMPO_FIELDS[address], (float(v) for v in args)))
        if "beat" in values:
            values["beat"] = int(values["beat"])
        return "tempo", None, values
    return None


def store(parsed, op):
    """Write a parsed message into its Table DAT, found with ``op(name)`` (TouchDesigner's
    `op`; None for a table that does not exist: the message is skipped). A table is anything
    with TouchDesigner's table API: ``numRows``, ``appendRow(list)``, ``table[row, col] =
    value``, ``clear()``."""
    kind, track, values = parsed
    if kind == "track":
        tracks = op(TRACKS_TABLE)
        if tracks is None:
            return
        _ensure_track_row(tracks, track, TRACK_COLUMNS, [""] + [0.0] * len(FEATURES))
        row = track + 1
        tracks[row, 0] = track
        for col, name in enumerate(TRACK_COLUMNS[1:], start=1):
            tracks[row, col] = values[name]
    elif kind == "rhythm":
        rhythm = op(RHYTHM_TABLE)
        if rhythm is None:
            return
        _ensure_track_row(rhythm, track, RHYTHM_COLUMNS, [0.0] * (len(RHYTHM_COLUMNS) - 2) + [0])
        if "onset" in values:
            _onsets_so_far[track] = _onsets_so_far.get(track, 0) + 1
            values = {**values, "onsets": _onsets_so_far[track]}
        for name, value in values.items():
            rhythm[track + 1, RHYTHM_COLUMNS.index(name)] = value
    elif kind == "tempo":
        tempo = op(TEMPO_TABLE)
        if tempo is None:
            return
        if tempo.numRows != 2:
            tempo.clear()
            tempo.appendRow(list(TEMPO_COLUMNS))
            tempo.appendRow([0.0, 0.0, 0.0, -1, 0.0])
        for name, value in values.items():
            tempo[1, TEMPO_COLUMNS.index(name)] = value
    else:
        table, columns = (op(MOOD_TABLE), MOOD_COLUMNS) if kind == "mood" else (op(STATUS_TABLE), STATUS_COLUMNS)
        if table is None:
            return
        table.clear()
        table.appendRow(list(columns))
        table.appendRow([values[name] for name in columns])


def _ensure_track_row(table, track, columns, blank):
    """A header row, then one row per track up to ``track`` (track n is row n + 1)."""
    if table.numRows == 0:
        table.appendRow(list(columns))
    while table.numRows < track + 2:
        table.appendRow([table.numRows - 1] + list(blank))


def onReceiveOSC(dat, rowIndex, message, byteData, timeStamp, address, args, peer):
    """TouchDesigner's OSC In DAT callback: one call per message received."""
    parsed = parse_mirage_message(address, args)
    if parsed is None:
        return
    store(parsed, op)  # noqa: F821 -- `op` is TouchDesigner's
