"""The trackers side by side, each as it would run live, scored at the time it would emit.

Each returns ``(onsets_s or None, beats_s or None, bpm_after_8s or None, note)``:

* **MIRAGE beats**: `mirage.rhythm.offline_beats.track_mix` (the live tracker); beat times are
  the triggers' time tags (sent ahead); tempo = median of the per-hop BPM after 8 s.
* **MIRAGE onsets**: the per-track detector (`mirage.rhythm.onsets.detect_onsets`, another
  branch) if importable.
* **aubio** (online, hop 512, window 1024): ``aubio.onset("default")`` and
  ``aubio.tempo("default")``; an onset or beat reported while processing hop ``h`` is scored
  at the end of that hop — when a live patch would get it; tempo = median ``get_bpm()`` after 8 s.
* **essentia** (offline, whole file, non-causal): ``RhythmExtractor2013(method="multifeature")``
  for beats and BPM, ``OnsetRate`` for onsets — an upper reference, not a live peer.
"""

from __future__ import annotations

import numpy as np

HOP = 512
WINDOW = 1024
TEMPO_AFTER_S = 8.0


def mirage_beats(mix, sr_hz):
    from mirage.rhythm.offline_beats import track_mix

    r = track_mix(mix, sr_hz, HOP)
    after = r.bpm[r.time_s >= TEMPO_AFTER_S]
    conf = r.confidence[r.time_s >= TEMPO_AFTER_S]
    bpm = float(np.median(after[conf > 0])) if (conf > 0).any() else None
    return np.array([b.time_s for b in r.beats]), bpm


def mirage_onsets(mix, sr_hz):
    try:
        from mirage.rhythm.onsets import detect_onsets
    except ImportError:
        return None, "the per-track onset detector (mirage.rhythm.onsets) is not on this branch"
    found = detect_onsets(mix, sr_hz, hop=HOP)
    return np.asarray(found["time_s"], dtype=np.float64), ""


def aubio_online(mix, sr_hz):
    try:
        import aubio
    except ImportError:
        return None, None, None, "aubio is not installed (pip install 'mirage-engine[bench]')"
    sr = int(sr_hz)
    onset = aubio.onset("default", WINDOW, HOP, sr)
    tempo = aubio.tempo("default", WINDOW, HOP, sr)
    onsets, beats, bpms = [], [], []
    n = mix.size // HOP
    for h in range(n):
        block = np.ascontiguousarray(mix[h * HOP:(h + 1) * HOP], dtype=np.float32)
        end_s = (h + 1) * HOP / sr
        if onset(block)[0]:
            onsets.append(end_s)
        if tempo(block)[0]:
            beats.append(end_s)
        if end_s >= TEMPO_AFTER_S:
            bpms.append(tempo.get_bpm())
    bpms = [b for b in bpms if b > 0]
    return np.array(onsets), np.array(beats), (float(np.median(bpms)) if bpms else None), ""


def essentia_offline(mix, sr_hz):
    try:
        import essentia
        import essentia.standard as es
    except ImportError:
        return None, None, None, "essentia is not installed (pip install 'mirage-engine[bench]')"
    essentia.log.infoActive = False
    essentia.log.warningActive = False
    audio = mix.astype(np.float32)
    if int(sr_hz) != 44100:
        audio = es.Resample(inputSampleRate=float(sr_hz), outputSampleRate=44100.0)(audio)
    bpm, ticks, _, _, _ = es.RhythmExtractor2013(method="multifeature")(audio)
    onsets = es.OnsetRate()(audio)[0]
    return np.asarray(onsets, dtype=np.float64), np.asarray(ticks, dtype=np.float64), float(bpm), ""
