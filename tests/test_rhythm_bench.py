"""`mirage bench --rhythm`'s parts on a short render: MIDI truth, fluidsynth, mir_eval scores."""

from __future__ import annotations

import numpy as np
import pytest

from mirage.benchmarks.rhythm.render import available_soundfonts, render
from mirage.benchmarks.rhythm.scoring import beat_scores, onset_scores, tempo_ok
from mirage.benchmarks.rhythm.trackers import mirage_beats, mirage_onsets
from mirage.benchmarks.rhythm.truth import midi_truth

pytest.importorskip("mir_eval")


def test_truth_of_a_tempo_change_and_of_a_silent_gap(tmp_path):
    from mirage.benchmarks.rhythm.pieces import hand_cases

    cases = hand_cases(tmp_path)
    change = midi_truth(cases["tempo_change"], 30.0)
    assert not change.steady and list(change.tempi_bpm) == [100.0, 132.0]
    spacing = np.diff(change.beats_s)
    assert np.allclose(spacing[spacing > 0.55], 0.6) and np.allclose(spacing[spacing < 0.55], 60 / 132)
    gap = midi_truth(cases["silence_gap"], 30.0)
    assert gap.steady and not np.any((gap.beats_s > 13.2) & (gap.beats_s < 16.8))


def test_short_render_of_steady_drums_is_tracked_and_scored(tmp_path):
    from mirage.benchmarks.rhythm.pieces import hand_cases

    fonts = available_soundfonts()
    assert fonts, "fluid-soundfont-gm is needed (make install)"
    midi = hand_cases(tmp_path)["steady_drums_120"]
    mix = render(midi, next(iter(fonts.values())), tmp_path / "drums.wav", 44100, 14.0)
    truth = midi_truth(midi, 14.0)
    beats, bpm = mirage_beats(mix, 44100)
    assert tempo_ok(bpm, 120.0)
    scores = beat_scores(truth.beats_s, beats)
    assert scores["f70"] > 0.9 and scores["cmlt"] > 0.8
    perfect = onset_scores(truth.onsets_s, truth.onsets_s + 0.004)
    assert perfect["f25"] == 1.0 and np.allclose(perfect["offsets_s"], 0.004)
    onsets, note = mirage_onsets(mix, 44100)
    assert (onsets is None) == bool(note)
