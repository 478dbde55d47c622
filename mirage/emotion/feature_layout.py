"""The emotion feature vector: its step grid, its names, and named offsets into it.

One vector every :data:`STEP_S` (the model's input; ``models/`` trains on the same grid and
records ``STEP_S``, :data:`FEATURE_NAMES` and :data:`FEATURES_VERSION` in the ONNX file, which
`mirage.emotion.model` checks). The vector has five parts (:data:`PARTS`)::

    s_*   the step's short context: the frames of the last CONTEXT_S          N_SHORT
    l_*   mean of the short vectors over the last LONG_CONTEXT_S             N_SHORT
    l_key_*15   key fit of the chroma summed over LONG_CONTEXT_S              3
    e_*   running mean of the short vectors (time constant RUNNING_CONTEXT_S) N_SHORT
    e_chroma_key_*  key fit of the running mean of the step chroma            3

The short vector's slots are named once here (``SHAPE``, ``LEVEL_DB``, ... :data:`KEY_FIT`),
as are the columns of the per-STFT-frame rows the short vector is computed from
(``FRAME_*``); `mirage.emotion.features` writes and reads them only by these names.
"""

from __future__ import annotations

from mirage.emotion.mel import N_MEL

# Bumped whenever what a feature measures changes while its name stays (a model records the
# version it was trained on; mirage.emotion.model refuses another). 2: note-activation chroma.
FEATURES_VERSION = 2
STEP_S = 0.5
"""Period of the vectors, s: vector ``j`` (1-based) ends at sample ``round(j · STEP_S · sr)``."""
CONTEXT_S = 3.0
"""The short context: the STFT frames one short vector summarises, s."""
LONG_CONTEXT_S = 15.0
"""The long context: the short vectors the ``l_*`` part averages, s."""
RUNNING_CONTEXT_S = 120.0
"""Time constant of the running mean (``e_*``), s."""

SHORT_NAMES = (
    tuple(f"shape{b}" for b in range(N_MEL))
    + ("level_db", "level_std_db", "level_slope_db_s", "level_range_db",
       "flux_mean", "flux_std", "onset_rate_hz", "pulse_clarity",
       "centroid_log2hz", "flatness", "chroma_entropy",
       "key_major_r", "key_minor_r", "key_mode",
       "onset_rate_1db_hz", "onset_rate_3db_hz", "beat_period_s",
       "peak_onset_rate_hz", "peak_height_st", "peak_spread_st", "peak_count")
)
"""The short vector's slots, in order (the ``s_``, ``l_`` and ``e_`` parts share them)."""
KEY_FIT_NAMES = ("key_major_r", "key_minor_r", "key_mode")
FEATURE_NAMES = tuple(
    [f"s_{n}" for n in SHORT_NAMES] + [f"l_{n}" for n in SHORT_NAMES]
    + [f"l_{n}15" for n in KEY_FIT_NAMES]
    + [f"e_{n}" for n in SHORT_NAMES]
    + [f"e_chroma_{n}" for n in KEY_FIT_NAMES]
)
N_SHORT = len(SHORT_NAMES)
N_FEATURES = len(FEATURE_NAMES)

PARTS = {
    "short": slice(0, N_SHORT),
    "long": slice(N_SHORT, 2 * N_SHORT),
    "long_key": slice(2 * N_SHORT, 2 * N_SHORT + 3),
    "running": slice(2 * N_SHORT + 3, 3 * N_SHORT + 3),
    "running_key": slice(3 * N_SHORT + 3, N_FEATURES),
}
"""The five parts of a vector (see the module docstring), as slices of ``FEATURE_NAMES``."""


def _short(name: str) -> int:
    return SHORT_NAMES.index(name)


# -- slots of the short vector ----------------------------------------------------------------
SHAPE = slice(0, N_MEL)                          # mean mel shape of the audible frames, dB
LEVEL_DB = _short("level_db")                    # mean frame level, dB
LEVEL_STD_DB = _short("level_std_db")
LEVEL_SLOPE_DB_S = _short("level_slope_db_s")    # least-squares slope of the level, dB/s
LEVEL_RANGE_DB = _short("level_range_db")        # max − min frame level, dB
FLUX_MEAN = _short("flux_mean")
FLUX_STD = _short("flux_std")
ONSET_RATE_HZ = _short("onset_rate_hz")          # flux maxima above mean + std, per s
PULSE_CLARITY = _short("pulse_clarity")
CENTROID_LOG2HZ = _short("centroid_log2hz")
FLATNESS = _short("flatness")
CHROMA_ENTROPY = _short("chroma_entropy")        # normalised to [0, 1]
KEY_FIT = slice(_short("key_major_r"), _short("key_mode") + 1)  # major r, minor r, mode
ONSET_RATE_1DB_HZ = _short("onset_rate_1db_hz")
ONSET_RATE_3DB_HZ = _short("onset_rate_3db_hz")
BEAT_PERIOD_S = _short("beat_period_s")
PEAK_ONSET_RATE_HZ = _short("peak_onset_rate_hz")
PEAK_REGISTER = slice(_short("peak_height_st"), _short("peak_count") + 1)  # height, spread, count

# -- columns of a per-STFT-frame row -----------------------------------------------------------
FRAME_SHAPE = slice(0, N_MEL)    # mel_db − its mean over the bands
FRAME_LEVEL_DB = N_MEL
FRAME_FLUX = N_MEL + 1
FRAME_CENTROID_LOG2HZ = N_MEL + 2
FRAME_FLATNESS = N_MEL + 3
FRAME_PEAK_ONSETS = N_MEL + 4
FRAME_PEAK_REGISTER = slice(N_MEL + 5, N_MEL + 8)  # height, spread (semitones), count
FRAME_PEAK_COUNT = N_MEL + 7
N_FRAME_COLUMNS = N_MEL + 8
