"""Per-track spectral features of a signal, whole (`features`) or block by block (`FeatureStream`).

The public, checked face of `kernels.analyzer.TrackAnalyzer` — the kernels the real-time
callback runs — in librosa's manner: keyword-only options, units in the names, a
`ParameterError` before any maths.

Axis convention (the whole `mirage` API): **tracks first, then time, then feature**.
Audio is ``y[n_samples]`` (one track) or ``y[n_tracks, n_samples]``; features are
``[n_frames, N_FEATURES]`` or ``[n_tracks, n_frames, N_FEATURES]``, in the order of
`FEATURE_NAMES`::

    centroid_hz, bandwidth_hz, flatness, rolloff_hz, pitch1_hz .. pitch4_hz (0 = no pitch)

Frame k covers samples ``k·hop .. k·hop + n_fft`` (librosa's ``center=False``), so a signal of
N samples has ``1 + (N − n_fft) // hop`` frames (0 if ``N < n_fft``) and frame k is sent
live at ``(k·hop + n_fft) / sr_hz`` seconds; `frame_times_s` gives ``k·hop / sr_hz``, the
``time_s`` column of ``mirage analyze``. Each feature is librosa's on that frame (float32,
rtol ≈ 1e-5); `features` gives the very numbers ``mirage analyze`` writes, for any block size.

NaN and ±Inf samples are taken as 0 and counted (`FeatureStream.nonfinite_samples`), as
the live engine does: a glitch in one sample must not silence a track.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from kernels.layout import FEATURE_NAMES, N_FEATURES
from mirage.errors import ParameterError
from mirage.frame_parameters import check_frame

__all__ = ["FEATURE_NAMES", "N_FEATURES", "FeatureStream", "features", "frame_times_s"]

#: Samples per call of the kernels in `features` (bounds the analyzer's output buffer).
WHOLE_SIGNAL_BLOCK = 1 << 16


def _check_rate(sr_hz: float) -> float:
    if not (isinstance(sr_hz, (int, float, np.integer, np.floating)) and np.isfinite(sr_hz) and sr_hz > 0):
        raise ParameterError(f"sr_hz must be a positive number of Hz, got {sr_hz!r}")
    return float(sr_hz)


def _as_tracks(y, *, name: str = "y") -> np.ndarray:
    """``y`` as float32 ``[n_tracks, n_samples]`` (a view when it already is one)."""
    y = np.asarray(y)
    if not np.issubdtype(y.dtype, np.floating):
        raise ParameterError(f"{name} must be floating-point audio (-1..1), got dtype {y.dtype}")
    if y.ndim not in (1, 2):
        raise ParameterError(f"{name} must be [n_samples] or [n_tracks, n_samples], got shape {y.shape}")
    y2 = np.atleast_2d(y)
    if y2.shape[0] < 1:
        raise ParameterError(f"{name} has no track, got shape {y.shape}")
    return y2.astype(np.float32, copy=False)


def _pitch_ranges(n_tracks: int, profiles, pitch_ranges_hz) -> np.ndarray | None:
    """float64 [n_tracks, 2] from profile names or explicit ranges (None: the kernels' default)."""
    from mirage.profiles import track_pitch_ranges

    if profiles is not None and pitch_ranges_hz is not None:
        raise ParameterError("give profiles or pitch_ranges_hz, not both")
    if pitch_ranges_hz is not None:
        ranges = np.asarray(pitch_ranges_hz, dtype=np.float64)
        if ranges.shape == (2,):
            ranges = np.tile(ranges, (n_tracks, 1))
        if ranges.shape != (n_tracks, 2) or not np.all(np.isfinite(ranges)) or np.any(ranges[:, 0] >= ranges[:, 1]) \
                or np.any(ranges[:, 0] < 0):
            raise ParameterError(f"pitch_ranges_hz must be (fmin_hz, fmax_hz) with 0 <= fmin < fmax, once or per "
                                 f"track ({n_tracks}), got {pitch_ranges_hz!r}")
        return ranges
    if profiles is None:
        return None
    names = [f"track {c}" for c in range(n_tracks)]
    if isinstance(profiles, str) and "," not in profiles:
        return track_pitch_ranges(names, profile=profiles)[0]
    return track_pitch_ranges(names, profiles=profiles)[0]


class FeatureStream:
    """The features of a multitrack stream, block after block: blocks in, finished frames out.

    The same kernels, state and numbers as the real-time callback: a frame is returned by
    the call whose block completes it, whatever the block sizes.

    Parameters
    ----------
    n_tracks : int
    sr_hz : float
        Sample rate in Hz.
    n_fft, hop : int, keyword-only
        Frame length and hop in samples (``16 <= n_fft <= 65536``, ``1 <= hop <= n_fft``).
    profiles : str or sequence of str, optional
        Instrument profile (pitch range, `mirage.profiles.PROFILES`) of every track (one
        name) or of each track (one per track).
    pitch_ranges_hz : (fmin_hz, fmax_hz) or float [n_tracks, 2], optional
        Explicit pitch search ranges instead of profiles. Default: 150–4000 Hz (librosa's).

    Examples
    --------
    >>> import numpy as np, mirage
    >>> stream = mirage.FeatureStream(2, 48000, n_fft=2048, hop=512)
    >>> block = np.zeros((2, 4096), dtype=np.float32)   # [n_tracks, n_samples]
    >>> stream.process(block).shape                      # frames finished by this block
    (2, 5, 8)
    >>> stream.frames_done
    5
    """

    def __init__(self, n_tracks: int, sr_hz: float, *, n_fft: int = 2048, hop: int = 512,
                 profiles: str | Sequence[str] | None = None, pitch_ranges_hz=None):
        from kernels.analyzer import TrackAnalyzer

        if not (isinstance(n_tracks, (int, np.integer)) and n_tracks >= 1):
            raise ParameterError(f"n_tracks must be a positive integer, got {n_tracks!r}")
        check_frame(n_fft=n_fft, hop=hop)
        self.sr_hz = _check_rate(sr_hz)
        self.n_tracks, self.n_fft, self.hop = int(n_tracks), int(n_fft), int(hop)
        ranges = _pitch_ranges(self.n_tracks, profiles, pitch_ranges_hz)
        self._analyzer = TrackAnalyzer(self.n_tracks, self.sr_hz, n_fft=self.n_fft, hop=self.hop,
                                       pitch_ranges_hz=ranges)

    @property
    def pitch_ranges_hz(self) -> np.ndarray:
        """float64 [n_tracks, 2]: each track's (fmin_hz, fmax_hz) pitch search range."""
        return self._analyzer.pitch_ranges_hz.copy()

    @property
    def frames_done(self) -> int:
        """Frames returned so far (per track)."""
        return self._analyzer.frames_done

    @property
    def nonfinite_samples(self) -> int:
        """NaN/±Inf samples seen so far, each taken as 0."""
        return self._analyzer.nonfinite_samples

    def process(self, block) -> np.ndarray:
        """Consume ``block[n_tracks, n_samples]`` (any length, even 0); return the frames it
        finishes: float32 ``[n_tracks, n_new_frames, N_FEATURES]`` (a new array)."""
        block = _as_tracks(block, name="block")
        if block.shape[0] != self.n_tracks:
            raise ParameterError(f"block must have {self.n_tracks} track(s), got shape {block.shape}")
        parts = [np.empty((self.n_tracks, 0, N_FEATURES), dtype=np.float32)]
        for begin in range(0, block.shape[1], WHOLE_SIGNAL_BLOCK):
            new = self._analyzer.process(block[:, begin:begin + WHOLE_SIGNAL_BLOCK].T)
            parts.append(new.transpose(1, 0, 2).copy())  # the analyzer's buffer: the next call overwrites it
        return np.concatenate(parts, axis=1)

    def reset(self) -> None:
        """Forget all audio seen: the next sample is sample 0 of frame 0."""
        self._analyzer.reset()


def features(y, sr_hz: float, *, n_fft: int = 2048, hop: int = 512,
             profiles: str | Sequence[str] | None = None, pitch_ranges_hz=None) -> np.ndarray:
    """Spectral features and pitches of every frame of every track of ``y``.

    Parameters
    ----------
    y : float ndarray [n_samples] or [n_tracks, n_samples]
        Audio in -1..1.
    sr_hz : float
        Sample rate in Hz.
    n_fft, hop, profiles, pitch_ranges_hz
        As for `FeatureStream`.

    Returns
    -------
    float32 ndarray [n_frames, 8] (one track) or [n_tracks, n_frames, 8]
        Per frame: centroid_hz, bandwidth_hz, flatness, rolloff_hz, pitch1_hz..pitch4_hz
        (`FEATURE_NAMES`). Centroid (librosa's ``spectral_centroid``)::

            centroid_hz = Σ_k f_k·|X_k| / Σ_k |X_k|

    Examples
    --------
    >>> import numpy as np, mirage
    >>> sr_hz = 48000
    >>> t = np.arange(sr_hz) / sr_hz
    >>> y = 0.5 * np.sin(2 * np.pi * 440.0 * t)          # one second of A4
    >>> f = mirage.features(y, sr_hz, n_fft=2048, hop=512)
    >>> f.shape
    (90, 8)
    >>> centroid = f[:, mirage.FEATURE_NAMES.index("centroid_hz")]
    >>> round(float(np.median(centroid)), 1)          # librosa.feature.spectral_centroid: 440.7
    440.7
    >>> bool(abs(np.median(f[:, mirage.FEATURE_NAMES.index("pitch1_hz")]) - 440.0) < 2.0)
    True
    """
    tracks = _as_tracks(y)
    stream = FeatureStream(tracks.shape[0], sr_hz, n_fft=n_fft, hop=hop, profiles=profiles,
                           pitch_ranges_hz=pitch_ranges_hz)
    result = stream.process(tracks)
    return result[0] if np.ndim(y) == 1 else result


def frame_times_s(n_frames: int, *, sr_hz: float, hop: int = 512) -> np.ndarray:
    """float64 [n_frames]: the start of each frame in seconds, ``k·hop / sr_hz`` (librosa's
    ``frames_to_time`` for ``center=False``; the ``time_s`` column of ``mirage analyze``)."""
    sr_hz = _check_rate(sr_hz)
    if not (isinstance(hop, (int, np.integer)) and hop >= 1):
        raise ParameterError(f"hop must be a positive number of samples, got {hop!r}")
    return np.arange(int(n_frames), dtype=np.float64) * hop / sr_hz
