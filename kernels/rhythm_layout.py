"""Layout of the per-track rhythm values and of the rhythm kernels' parameter and state arrays.

Per track and per hop `kernels.track_rhythm.track_rhythm` writes ``N_RHYTHM`` float32 values,
in this order::

    0 level        RMS level of the hop, normalised 0..1 (adaptive range, smoothed)
    1 level_db     RMS level of the hop in dBFS (20 log10 rms; a full-scale sine is -3.01)
    2 bass         energy below BASS_MAX_HZ, normalised 0..1 (adaptive range, smoothed)
    3 mid          energy from BASS_MAX_HZ to MID_MAX_HZ, normalised 0..1
    4 high         energy above MID_MAX_HZ, normalised 0..1
    5 onset        strength 0..1 of an onset detected in this hop; 0 = no onset
    6 novelty      the onset detector's novelty (SuperFlux-like flux, mean per band, >= 0)

Pure Python (no numba): the command line reads its defaults from here. Numba freezes these module-level ints into the machine code: no literal index anywhere
(``tests/test_shared_layout.py`` checks they are unique and in range).
"""

from __future__ import annotations

from typing import Final

# --------------------------------------------------------------------------- per-track values
RH_LEVEL: Final = 0
RH_LEVEL_DB: Final = 1
RH_BASS: Final = 2
RH_MID: Final = 3
RH_HIGH: Final = 4
RH_ONSET: Final = 5
RH_NOVELTY: Final = 6
N_RHYTHM: Final = 7

RHYTHM_NAMES = ("level", "level_db", "bass", "mid", "high", "onset", "novelty")
N_BANDS3: Final = 3
"""bass, mid, high: the three band values, consecutive from RH_BASS."""

DEFAULT_ATTACK_MS = 0.0
"""Level smoothing, rising: none by default (a hit shows in the hop it arrives)."""
DEFAULT_RELEASE_MS = 100.0
"""Level smoothing, falling: 100 ms time constant (a visual decays instead of flickering)."""
MAX_SMOOTHING_MS = 60_000.0

BASS_MAX_HZ = 250.0
MID_MAX_HZ = 4000.0

# --------------------------------------------------------------------------- parameters float64[N_RP]
RP_ENABLED: Final = 0           # 0: the rhythm kernels are skipped (values stay 0)
RP_LAG: Final = 1               # frames between the two spectra the flux compares
RP_POWER_SCALE: Final = 3       # band sum of mag^2 -> mean square: 2 / (n_fft sum(window^2))
RP_RANGE_RELEASE: Final = 4     # per-hop coefficient of the range followers' release
RP_SMOOTH_ATTACK: Final = 5     # per-hop coefficient of the level smoothing, rising
RP_SMOOTH_RELEASE: Final = 6    # per-hop coefficient of the level smoothing, falling
RP_ONSET_DELTA: Final = 7       # novelty above the recent mean needed for an onset
RP_MIN_IOI_HOPS: Final = 8      # hops from one onset to the next, at least
RP_NOVELTY_RELEASE: Final = 9   # per-hop coefficient of the novelty peak's release
N_RP: Final = 16

# --------------------------------------------------------------------------- bin edges int64[RE_FB0 + n_bands + 1]
RE_BASS_END: Final = 0          # first bin of mid (bass = bins 1 .. RE_BASS_END - 1; DC left out)
RE_MID_END: Final = 1           # first bin of high (high runs to the last bin)
RE_FB0: Final = 2               # first of the onset filterbank's n_bands + 1 bin edges

# --------------------------------------------------------------------------- state float64[C, RS_NOVELTY0 + n_history]
RS_LEVEL_TOP: Final = 0         # range followers' tops (dB), level then bass, mid, high
RS_BASS_TOP: Final = 1
RS_MID_TOP: Final = 2
RS_HIGH_TOP: Final = 3
RS_LEVEL_SMOOTH: Final = 4      # smoothed normalised values, level then bass, mid, high
RS_BASS_SMOOTH: Final = 5
RS_MID_SMOOTH: Final = 6
RS_HIGH_SMOOTH: Final = 7
RS_NOVELTY_PEAK: Final = 8      # the novelty's peak follower (onset strength = novelty / peak)
RS_SINCE_ONSET: Final = 9       # hops since the last onset
RS_FRAMES: Final = 10           # frames this track has seen
RS_ENERGY0: Final = 11          # the last N_ENERGY_HISTORY hops' log energies, circular
N_ENERGY_HISTORY: Final = 3
RS_NOVELTY0: Final = 16         # first slot of the recent-novelty circular history
