"""Onsets of a signal, offline, by the detector the real-time engine runs in its callback.

`detect_onsets` feeds one mono signal through `kernels.analyzer.TrackAnalyzer` (block by
block, as `mirage analyze` does) with the rhythm layer on, and lists the hops in which
`kernels.onset` reported an onset. ``time_s`` is the end of that hop (its last sample + 1,
over the sample rate): when ``mirage run --rhythm`` sends the ``/mirage/track/<n>/onset``
message, up to the callback's block and the network.

`OnsetCsvWriter` writes ``mirage analyze --onsets-out``'s CSV: ``track,time_s,strength``.
"""

from __future__ import annotations

from typing import BinaryIO

import numpy as np

ONSET_DTYPE = np.dtype([("time_s", np.float64), ("strength", np.float32)])
ONSETS_HEADER = b"track,time_s,strength\n"
BLOCK_SECONDS = 1.0

__all__ = ["ONSET_DTYPE", "OnsetCsvWriter", "detect_onsets", "onsets_of_block"]


def onsets_of_block(rhythm: np.ndarray, frame_end: np.ndarray, sr_hz: float):
    """``(track, time_s, strength)`` of the onsets in a block of frames: `rhythm` float32
    ``[n, C, N_RHYTHM]`` and `frame_end` (one past each frame's last sample) as the analyzer
    gives them. Ordered by time, then track."""
    from kernels.rhythm_layout import RH_ONSET

    frames, tracks = np.nonzero(rhythm[:, :, RH_ONSET] > 0.0)
    return tracks, frame_end[frames] / sr_hz, rhythm[frames, tracks, RH_ONSET]


def detect_onsets(samples, sr_hz: float, hop: int = 512, n_fft: int = 2048) -> np.ndarray:
    """Onsets of mono `samples`: a structured array with fields ``time_s`` (float64, the end
    of the hop in which the onset was detected) and ``strength`` (float32, 0..1).

    Same kernels, parameters and framing as ``mirage run --rhythm`` with the same hop and
    n_fft (frames end at ``n_fft + k * hop``; the first onset can come at the end of the first
    frame).
    """
    from kernels.analyzer import TrackAnalyzer
    from mirage.errors import ParameterError
    from mirage.frame_parameters import check_frame

    check_frame(n_fft=n_fft, hop=hop)
    x = np.asarray(samples, dtype=np.float32)
    if x.ndim != 1:
        raise ParameterError(f"detect_onsets needs one mono signal, got shape {x.shape}")
    if not sr_hz > 0:
        raise ParameterError(f"sample rate must be positive, got {sr_hz}")
    block = hop * max(1, int(round(BLOCK_SECONDS * sr_hz / hop)))
    analyzer = TrackAnalyzer(1, sr_hz, n_fft=n_fft, hop=hop, rhythm=True, max_block=block)
    times, strengths = [], []
    for begin in range(0, x.size, block):
        n = len(analyzer.process(x[begin:begin + block, None]))
        _, t, s = onsets_of_block(analyzer.rhythm_out, analyzer.out_end[:n], sr_hz)
        times.append(t)
        strengths.append(s)
    out = np.zeros(sum(len(t) for t in times), dtype=ONSET_DTYPE)
    if len(out):
        out["time_s"] = np.concatenate(times)
        out["strength"] = np.concatenate(strengths)
    return out


class OnsetCsvWriter:
    """``track,time_s,strength`` rows (time_s with 12 significant digits, strength with 9)."""

    def __init__(self, fh: BinaryIO):
        self._fh = fh
        self.rows = 0
        fh.write(ONSETS_HEADER)

    def write(self, rhythm: np.ndarray, frame_end: np.ndarray, sr_hz: float) -> None:
        from mirage.csv_out import FEATURE_DIGITS, TIME_DIGITS, format_g

        tracks, times, strengths = onsets_of_block(rhythm, frame_end, sr_hz)
        if not len(tracks):
            return
        lines = [f"{c},{t},{s}\n" for c, t, s in zip(tracks.tolist(), format_g(times, TIME_DIGITS),
                                                      format_g(strengths, FEATURE_DIGITS))]
        self._fh.write("".join(lines).encode())
        self.rows += len(lines)
