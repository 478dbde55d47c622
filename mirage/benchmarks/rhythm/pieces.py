"""The bench's pieces: MIDI written here for the hard cases, and VGMIDI piano pieces.

Hand cases (`hand_cases`), each ``DURATION_S`` long, General MIDI:

* ``steady_drums_120``  kick/snare/hi-hat rock beat, 120 BPM;
* ``dense_drums_160``   sixteenth hi-hats, busy kicks and ghost snares, 160 BPM;
* ``syncopated_100``    piano chords off the beat, bass on beat 1 only, 100 BPM;
* ``tempo_change``      drums and piano, 100 BPM then 132 BPM from 15 s (not steady);
* ``rubato_piano``      arpeggios, the tempo drifting ±12 % around 84 BPM (not steady);
* ``silence_gap``       drums at 110 BPM with 6 s of silence in the middle;
* ``sustained_pads_90`` string pad chords per half note, a soft bass per beat, 90 BPM;
* ``vibrato_strings_72`` a violin line with 6 Hz pitch-bend vibrato, 72 BPM.

VGMIDI (`vgmidi_pieces`): every k-th file of ``../shared/data/vgmidi/midi`` (sorted), first
``DURATION_S`` seconds; not in the repository (licence), skipped when absent.
"""

from __future__ import annotations

import math
from pathlib import Path

DURATION_S = 30.0
TPB = 480
_ROOT = Path(__file__).resolve().parents[3]
VGMIDI_DIRS = [up / "shared" / "data" / "vgmidi" / "midi" for up in (_ROOT.parent, _ROOT.parent.parent)]
"""``../shared/data/vgmidi/midi`` from the project root (or one level further up, for a worktree)."""
KICK, SNARE, HAT, OPEN_HAT = 36, 38, 42, 46


def _write(path: Path, tracks_events, tempo_map) -> Path:
    """``tracks_events``: per track, [(beat, kind, data)] with kind 'on'/'off'/'program'/'bend';
    ``tempo_map``: [(beat, bpm)]."""
    import mido

    midi = mido.MidiFile(ticks_per_beat=TPB)
    meta = mido.MidiTrack()
    midi.tracks.append(meta)
    last = 0
    for beat, bpm in tempo_map:
        tick = int(round(beat * TPB))
        meta.append(mido.MetaMessage("set_tempo", tempo=int(round(60e6 / bpm)), time=tick - last))
        last = tick
    for channel, events in tracks_events:
        track = mido.MidiTrack()
        midi.tracks.append(track)
        last = 0
        for beat, kind, data in sorted(events, key=lambda e: (e[0], e[1] != "program", e[1] == "on")):
            tick = int(round(beat * TPB))
            dt, last = tick - last, tick
            if kind == "program":
                track.append(mido.Message("program_change", channel=channel, program=data, time=dt))
            elif kind == "bend":
                track.append(mido.Message("pitchwheel", channel=channel, pitch=data, time=dt))
            else:
                note, vel = data
                track.append(mido.Message("note_on" if kind == "on" else "note_off", channel=channel,
                                          note=note, velocity=vel if kind == "on" else 0, time=dt))
    midi.save(str(path))
    return path


def _note(events, beat, length, note, vel):
    events.append((beat, "on", (note, vel)))
    events.append((beat + length, "off", (note, 0)))


def _beats_in(bpm_of, duration_s):
    """Number of beats within duration_s for a tempo function bpm_of(beat)."""
    t, b = 0.0, 0.0
    while t < duration_s:
        t += 60.0 / bpm_of(b) * 0.25
        b += 0.25
    return b


def _rock(events, beats, *, skip=lambda b: False, sixteenths=False):
    step = 0.25 if sixteenths else 0.5
    b = 0.0
    while b < beats:
        if not skip(b):
            _note(events, b, 0.1, HAT, 70 if b % 1 == 0 else 50)
            if b % 2 == 0:
                _note(events, b, 0.1, KICK, 110)
            if b % 2 == 1:
                _note(events, b, 0.1, SNARE, 105)
            if sixteenths and b % 1 == 0.75:
                _note(events, b, 0.1, KICK, 80)
            if sixteenths and b % 1 == 0.5:
                _note(events, b, 0.1, SNARE, 35)
        b += step


CHORDS = [(60, 64, 67), (57, 60, 64), (53, 57, 60), (55, 59, 62)]


def hand_cases(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    d = DURATION_S

    drums = []
    _rock(drums, d * 120 / 60)
    out["steady_drums_120"] = _write(folder / "steady_drums_120.mid", [(9, drums)], [(0, 120)])

    drums = []
    _rock(drums, d * 160 / 60, sixteenths=True)
    out["dense_drums_160"] = _write(folder / "dense_drums_160.mid", [(9, drums)], [(0, 160)])

    piano, bass = [(0, "program", 0)], [(0, "program", 33)]
    n = int(d * 100 / 60)
    for b in range(n):
        chord = CHORDS[(b // 4) % 4]
        for note in chord:
            _note(piano, b + 0.5, 0.3, note, 80)
        if b % 4 == 0:
            _note(bass, b, 1.5, chord[0] - 24, 100)
    out["syncopated_100"] = _write(folder / "syncopated_100.mid", [(0, piano), (1, bass)], [(0, 100)])

    change_beat = 15.0 * 100 / 60
    beats = change_beat + 15.0 * 132 / 60
    drums, piano = [], [(0, "program", 0)]
    _rock(drums, beats)
    for b in range(int(beats)):
        for note in CHORDS[(b // 4) % 4]:
            _note(piano, b, 0.8, note, 60)
    out["tempo_change"] = _write(folder / "tempo_change.mid", [(9, drums), (0, piano)],
                                 [(0, 100), (change_beat, 132)])

    rubato = lambda b: 84 * (1 + 0.12 * math.sin(2 * math.pi * b / 24))  # noqa: E731
    beats = _beats_in(rubato, d)
    piano = [(0, "program", 0)]
    tempo_map = [(b, rubato(b)) for b in range(int(beats) + 1)]
    for b in range(int(beats)):
        chord = CHORDS[(b // 4) % 4]
        for i, note in enumerate((chord[0] - 12, *chord)):
            _note(piano, b + i * 0.25, 0.5, note, 90 if i == 0 else 60)
    out["rubato_piano"] = _write(folder / "rubato_piano.mid", [(0, piano)], tempo_map)

    drums = []
    _rock(drums, d * 110 / 60, skip=lambda b: 12 * 110 / 60 <= b < 18 * 110 / 60)
    out["silence_gap"] = _write(folder / "silence_gap.mid", [(9, drums)], [(0, 110)])

    pad, bass = [(0, "program", 48)], [(0, "program", 32)]
    n = int(d * 90 / 60)
    for b in range(n):
        chord = CHORDS[(b // 4) % 4]
        if b % 2 == 0:
            for note in chord:
                _note(pad, b, 2.0, note, 70)
        _note(bass, b, 0.9, chord[0] - 24, 60)
    out["sustained_pads_90"] = _write(folder / "sustained_pads_90.mid", [(0, pad), (1, bass)], [(0, 90)])

    violin = [(0, "program", 40)]
    n = int(d * 72 / 60)
    melody = [67, 69, 71, 72, 74, 72, 71, 69]
    for b in range(n):
        _note(violin, b, 0.95, melody[b % 8], 90)
        if b % 2 == 1:
            _note(violin, b + 0.5, 0.45, melody[(b + 3) % 8], 75)
    steps = int(d * 72 / 60 / 0.02)
    for i in range(steps):  # 6 Hz vibrato at 72 BPM: 5 cycles per beat
        beat = i * 0.02
        violin.append((beat, "bend", int(600 * math.sin(2 * math.pi * 5 * beat))))
    out["vibrato_strings_72"] = _write(folder / "vibrato_strings_72.mid", [(0, violin)], [(0, 72)])
    return out


def vgmidi_pieces(n: int) -> dict[str, Path]:
    folder = next((d for d in VGMIDI_DIRS if d.is_dir()), None)
    if folder is None or n <= 0:
        return {}
    files = sorted(folder.glob("*.mid"))
    step = max(1, len(files) // n)
    return {f"vgmidi {i + 1}: {p.stem[:28]}": p for i, p in enumerate(files[::step][:n])}
