"""The emotion worker process: results flow, SIGKILL → restart → results resume."""

import os
import signal
import time

import numpy as np
import pytest

from kernels.ring import Ring
from mirage.emotion.worker import EmotionSupervisor
from mirage.errors import InputError

SR = 48000
HOP = 512


def feed(ring, x, start):
    """Push hops [start, start + n) of x into the mix ring (the callback's job)."""
    for k in range(start, len(x) // HOP):
        ring.push(x[k * HOP:(k + 1) * HOP])


def signal_mix(seconds, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * SR)) / SR
    return (0.1 * np.sin(2 * np.pi * 440 * t) * (1 + np.sin(2 * np.pi * 2 * t))
            + 0.01 * rng.standard_normal(t.size)).astype(np.float32)


def collect(sup, n, timeout_s=10.0):
    out, t0 = [], time.monotonic()
    while len(out) < n and time.monotonic() - t0 < timeout_s:
        r = sup.pop_result()
        if r is None:
            time.sleep(0.005)
        else:
            out.append(r)
    return out


def test_missing_model_fails_before_spawning(tmp_path):
    with Ring.create(64, (HOP,), np.float32, shared=True) as mix:
        with pytest.raises(InputError, match="missing.onnx"):
            EmotionSupervisor(mix.spec, SR, model_path=tmp_path / "missing.onnx")


@pytest.mark.slow
def test_worker_publishes_restarts_after_sigkill_and_resumes():
    x = signal_mix(12.0)
    t0_s = 1000.0
    with Ring.create(1024, (HOP,), np.float32, shared=True) as mix:
        sup = EmotionSupervisor(mix.spec, SR, t0_s=t0_s, smoothing_s=1.0)
        try:
            sup.start()
            first = int(np.ceil(3 * SR / HOP))  # 3 s of audio (282 hops)
            feed(mix, x[: first * HOP], 0)
            res = collect(sup, 6)
            assert len(res) == 6
            times = [r[2] for r in res]
            np.testing.assert_allclose(times, t0_s + 0.5 * np.arange(1, 7), atol=1e-9)
            assert all(-1 <= r[0] <= 1 and -1 <= r[1] <= 1 for r in res)

            old_pid = sup.pid
            os.kill(old_pid, signal.SIGKILL)
            t_kill = time.monotonic()
            while sup.restarts == 0 and time.monotonic() - t_kill < 5:
                time.sleep(0.01)
            assert sup.restarts == 1 and sup.pid != old_pid
            while sup.last_restart_s is None and time.monotonic() - t_kill < 5:
                time.sleep(0.01)
            print(f"restart took {sup.last_restart_s:.2f} s")
            assert sup.last_restart_s < 2.0

            feed(mix, x, first)  # the remaining 9 s after the restart
            res2 = collect(sup, 17)
            assert len(res2) >= 17, len(res2)
            t2 = np.array([r[2] for r in res2])
            assert (np.diff(t2) > 0).all() and t2[0] > times[-1]
            # capture times stay on the absolute 0.5 s grid of the mix clock
            np.testing.assert_allclose((t2 - t0_s - first * HOP / SR) % 0.5, 0, atol=1e-9)
        finally:
            sup.stop()
        assert not sup.process.is_alive()


def test_sigint_to_the_worker_is_ignored():
    """A terminal's Ctrl-C reaches the worker too; the parent alone decides to stop it."""
    x = signal_mix(4.0)
    with Ring.create(1024, (HOP,), np.float32, shared=True) as mix:
        sup = EmotionSupervisor(mix.spec, SR)
        try:
            sup.start()
            feed(mix, x[: 2 * SR], 0)
            assert len(collect(sup, 2)) == 2  # up and running
            pid = sup.pid
            os.kill(pid, signal.SIGINT)
            time.sleep(0.5)
            feed(mix, x, 2 * SR // HOP)
            assert len(collect(sup, 3)) == 3
            assert sup.restarts == 0 and sup.pid == pid
        finally:
            sup.stop()
