"""MIRAGE: a real-time music information retrieval engine for live art — and its library.

The Python API (axis convention: tracks first, then time, then feature)::

    mirage.load(source, *, sr_hz=None)            -> LoadedAudio(audio[n_tracks, n_samples], sr_hz, track_names)
    mirage.features(y, sr_hz, *, n_fft, hop, ...) -> float32 [n_tracks, n_frames, 8]  ([n_frames, 8] for mono y)
    mirage.FeatureStream(n_tracks, sr_hz, ...)    .process(block[n_tracks, n]) -> [n_tracks, n_new_frames, 8]
    mirage.frame_times_s(n_frames, *, sr_hz, hop) -> float64 [n_frames]
    mirage.mood(y, sr_hz, *, smoothing_s=0)       -> Mood(time_s, arousal, valence), one row per 0.5 s
    mirage.beats(source, sr_hz=None, hop=512)    -> (time_s, bpm, confidence), one row per beat trigger
    mirage.FEATURE_NAMES, mirage.PROFILES, mirage.ParameterError, mirage.InputError, mirage.MirageError

Each name is imported when first used, so ``import mirage`` stays light (no numba, no
PortAudio) and the ``mirage`` command starts fast. The commands (`mirage.commands`) are thin
layers over this library.
"""

import sys as _sys

from mirage.lifecycle import install_if_running_the_engine as _install

_install(_sys.argv)  # `mirage run`: Ctrl-C during the imports below is a stop request (mirage.lifecycle)

from kernels import jit_cache  # noqa: F401,E402  (numba's cache, keyed by source: see kernels.jit_cache)

__version__ = "0.1.0"

#: public name -> the module that defines it
_PUBLIC = {
    "features": "mirage.feature_stream",
    "FeatureStream": "mirage.feature_stream",
    "frame_times_s": "mirage.feature_stream",
    "FEATURE_NAMES": "mirage.feature_stream",
    "N_FEATURES": "mirage.feature_stream",
    "mood": "mirage.signal_mood",
    "beats": "mirage.rhythm.offline_beats",
    "Mood": "mirage.signal_mood",
    "load": "mirage.load_audio",
    "LoadedAudio": "mirage.load_audio",
    "PROFILES": "mirage.profiles",
    "MirageError": "mirage.errors",
    "ParameterError": "mirage.errors",
    "InputError": "mirage.errors",
}

__all__ = [*_PUBLIC, "__version__"]


def __getattr__(name: str):
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'mirage' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted([*globals(), *_PUBLIC])
