"""Room and noise augmentation of the emotion training renders (models/augment.py)."""

import numpy as np
import pytest

from models.augment import audible_power, coloured_noise, room_and_noise, room_impulse

SR = 44100


def band_power(x, lo_hz, hi_hz):
    spec = np.abs(np.fft.rfft(x)) ** 2
    f = np.fft.rfftfreq(x.size, 1 / SR)
    return spec[(f >= lo_hz) & (f < hi_hz)].mean()


@pytest.mark.parametrize("beta", [0.0, 1.0, 2.0])
def test_coloured_noise_has_unit_power_and_its_slope(beta):
    x = coloured_noise(10 * SR + 7, beta, np.random.default_rng(0))
    assert x.size == 10 * SR + 7
    assert np.mean(x ** 2) == pytest.approx(1.0, rel=1e-6)
    # one octave up divides the power density by 2^beta (3 dB per unit of beta)
    ratio_db = 10 * np.log10(band_power(x, 1000, 1100) / band_power(x, 2000, 2200))
    assert ratio_db == pytest.approx(3.01 * beta, abs=0.6)


def test_room_impulse_has_its_direct_path_and_a_bounded_tail():
    for seed in range(5):
        h = room_impulse(SR, np.random.default_rng(seed))
        assert h[0] == 1.0
        drr_db = 10 * np.log10(1.0 / np.sum(h[1:] ** 2))
        assert -6.5 <= drr_db <= 9.5  # the drawn direct-to-reverberant ratio, −6…+9 dB
        assert 0.3 * 1.2 * SR <= h.size <= (2.5 * 1.2 + 0.03) * SR


def test_room_and_noise_is_deterministic_same_length_and_noisy_at_the_drawn_snr():
    t = np.arange(4 * SR) / SR
    x = (0.3 * np.sin(2 * np.pi * 440 * t) * (t < 2)).astype(np.float32)  # 2 s tone, 2 s silence
    a = room_and_noise(x, SR, np.random.default_rng(3))
    b = room_and_noise(x, SR, np.random.default_rng(3))
    assert a.dtype == np.float32 and a.size == x.size
    np.testing.assert_array_equal(a, b)
    # the last second is silence + a decayed tail: mostly noise, 12–40 dB under the music
    noise_db = 10 * np.log10(np.mean(a[-SR // 2:].astype(np.float64) ** 2))
    music_db = 10 * np.log10(audible_power(a, SR))
    assert 10 <= music_db - noise_db <= 42


def test_audible_power_ignores_silence():
    x = np.zeros(SR, np.float32)
    x[: SR // 2] = 0.5
    assert audible_power(x, SR) == pytest.approx(0.25, rel=0.05)
