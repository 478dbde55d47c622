"""Mood of the mix: causal features, the ONNX valence/arousal model, its worker process.

* :mod:`mirage.emotion.features` — streaming feature extractor (one vector per 0.5 s);
* :mod:`mirage.emotion.model` — load/validate the ONNX model, ``predict``;
* :mod:`mirage.emotion.offline` — ``emotion_track(mix, sr)`` for ``mirage analyze``;
* :mod:`mirage.emotion.worker` — the spawned process fed from the mono-mix ring, and its
  supervisor.
"""
