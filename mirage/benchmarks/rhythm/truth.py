"""Ground truth from a MIDI file: note-on times, beats (quarter notes of the tempo map), tempo.

Times follow the tempo map exactly (mido's tick → second conversion, tempo by tempo). The
beats are the quarter-note ticks from 0 to the last note-on, kept only where music sounds
(a note-on within the 2 beats around it), so a silent stretch has no beats to find.
Onsets closer than 30 ms are merged into the first (mir_eval could not tell them apart).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MERGE_S = 0.03


@dataclass
class Truth:
    onsets_s: np.ndarray
    beats_s: np.ndarray
    tempi_bpm: np.ndarray       # every tempo of the map within the rendered span

    @property
    def steady(self) -> bool:
        return self.tempi_bpm.size == 1


def midi_truth(path, duration_s: float) -> Truth:
    import mido

    midi = mido.MidiFile(path)
    tpb = midi.ticks_per_beat
    events = []  # (tick, kind, value)
    for track in midi.tracks:
        tick = 0
        for msg in track:
            tick += msg.time
            if msg.type == "set_tempo":
                events.append((tick, 0, msg.tempo))
            elif msg.type == "note_on" and msg.velocity > 0:
                events.append((tick, 1, 0))
    events.sort()
    tempo_changes = [(t, v) for t, k, v in events if k == 0] or [(0, 500000)]
    if tempo_changes[0][0] > 0:
        tempo_changes.insert(0, (0, 500000))

    def seconds(ticks: np.ndarray) -> np.ndarray:
        out = np.zeros(ticks.shape)
        start_s = 0.0
        for i, (t0, tempo) in enumerate(tempo_changes):
            t1 = tempo_changes[i + 1][0] if i + 1 < len(tempo_changes) else np.inf
            inside = (ticks >= t0) & (ticks < t1)
            out[inside] = start_s + (ticks[inside] - t0) * tempo / (tpb * 1e6)
            if np.isfinite(t1):
                start_s += (t1 - t0) * tempo / (tpb * 1e6)
        return out

    note_ticks = np.array([t for t, k, _ in events if k == 1], dtype=np.float64)
    onsets = seconds(note_ticks)
    onsets = np.unique(onsets[onsets < duration_s])
    merged = [t for i, t in enumerate(onsets) if i == 0 or t - onsets[i - 1] >= MERGE_S]
    onsets = np.asarray(merged)
    beat_ticks = np.arange(0, (note_ticks.max() if note_ticks.size else 0) + 1, tpb, dtype=np.float64)
    beats = seconds(beat_ticks)
    beats = beats[beats < duration_s]
    if onsets.size:
        gap = np.array([np.min(np.abs(onsets - b)) for b in beats]) if beats.size else np.zeros(0)
        local = np.diff(beats).mean() if beats.size > 1 else 0.5
        beats = beats[gap <= 2 * local]
    change_s = seconds(np.array([t for t, _ in tempo_changes], dtype=np.float64))
    in_span = [60e6 / v for (t, v), s in zip(tempo_changes, change_s) if s < duration_s]
    tempi = np.unique(np.round(in_span, 3))
    return Truth(onsets, beats, tempi)
