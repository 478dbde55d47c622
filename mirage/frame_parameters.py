"""The frame and hop every analysis takes, checked once: ``16 <= n_fft <= 65536``, ``1 <= hop <= n_fft``.

Frames overlap or touch (``hop <= n_fft``), so no sample goes unanalysed.
"""

from __future__ import annotations

from mirage.errors import ParameterError

N_FFT_RANGE = (16, 1 << 16)


def check_frame(*, n_fft: int, hop: int) -> None:
    """ParameterError, with the value, for a frame length or hop (samples) the kernels cannot use."""
    lo, hi = N_FFT_RANGE
    if not lo <= n_fft <= hi:
        raise ParameterError(f"n_fft must be within {lo}..{hi} samples, got {n_fft}")
    if not 1 <= hop <= n_fft:
        raise ParameterError(f"hop must be within 1..n_fft ({n_fft}) samples, got {hop}")
