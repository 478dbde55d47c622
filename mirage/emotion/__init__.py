"""Mood of the mix: causal features, the ONNX valence/arousal model, its worker process.

* :mod:`mirage.emotion.features` — streaming feature extractor (one vector per 0.5 s), built
  from :mod:`~mirage.emotion.mel` (mel bands), :mod:`~mirage.emotion.semitones` (semitone
  peaks), :mod:`~mirage.emotion.chroma` (note-activation chroma),
  :mod:`~mirage.emotion.key_profiles` (key fit) and :mod:`~mirage.emotion.pulse`;
* :mod:`mirage.emotion.feature_layout` — the vector's step grid, names and named slots;
* :mod:`mirage.emotion.model` — load/validate the ONNX model, ``predict``;
* :mod:`mirage.emotion.smoothing` — the optional mood smoothing, live and offline;
* :mod:`mirage.emotion.offline` — ``emotion_track(mix, sr)`` for ``mirage analyze``, written
  by :mod:`mirage.emotion.mood_csv`;
* :mod:`mirage.emotion.worker` — the spawned process fed from the mono-mix ring, and its
  supervisor.
"""
