"""mir_eval scores: onsets (F at ±50 and ±25 ms, signed emission offset), beats (F at ±70 ms,
CMLt, AMLt after the first 5 s), tempo (within 4 %)."""

from __future__ import annotations

import numpy as np

BEAT_SKIP_S = 5.0
TEMPO_TOLERANCE = 0.04


def onset_scores(ref, est) -> dict:
    import mir_eval

    f50 = mir_eval.onset.f_measure(ref, est, window=0.05)[0]
    f25 = mir_eval.onset.f_measure(ref, est, window=0.025)[0]
    pairs = mir_eval.util.match_events(ref, est, 0.05)
    offsets = np.array([est[j] - ref[i] for i, j in pairs])
    return {"f50": f50, "f25": f25, "offsets_s": offsets}


def beat_scores(ref, est) -> dict:
    import mir_eval

    ref = mir_eval.beat.trim_beats(np.asarray(ref, dtype=np.float64), BEAT_SKIP_S)
    est = mir_eval.beat.trim_beats(np.asarray(est, dtype=np.float64), BEAT_SKIP_S)
    f = mir_eval.beat.f_measure(ref, est, 0.07)
    _, cmlt, _, amlt = mir_eval.beat.continuity(ref, est)
    return {"f70": f, "cmlt": cmlt, "amlt": amlt}


def tempo_ok(bpm, truth_bpm) -> bool:
    return bpm is not None and abs(bpm / truth_bpm - 1.0) <= TEMPO_TOLERANCE
