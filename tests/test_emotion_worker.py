"""The emotion worker process: results flow, SIGKILL → restart → results resume."""

import os
import signal
import time

import numpy as np
import pytest

from kernels.ring import Ring
from mirage.emotion.worker import EmotionSupervisor
from mirage.errors import InputError
from tests.osc_receivers import HANG_S, wait_for

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


def collect(sup, n, timeout_s=HANG_S):
    """The next ``n`` results (fewer only after ``timeout_s``: a hang, not a slow machine)."""
    out, t0 = [], time.monotonic()
    while len(out) < n and time.monotonic() - t0 < timeout_s:
        r = sup.pop_result()
        if r is None:
            time.sleep(0.005)
        else:
            out.append(r)
    return out


def finish(sup, mix):
    """The results left once the worker has read every hop fed: it is stopped with the event
    `EmotionSupervisor.stop` sets (it completes the hop in hand, publishing its results) and
    joined, but the result ring stays open. No sleep, so no guess at how busy the machine is."""
    assert wait_for(lambda: mix.read == mix.written, HANG_S)
    sup._stop.set()
    sup.process.join(HANG_S)
    assert not sup.process.is_alive()
    rest = []
    while (r := sup.pop_result()) is not None:
        rest.append(r)
    return rest


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
            assert wait_for(lambda: sup.last_restart_s is not None, HANG_S)  # respawned, ready
            assert sup.restarts == 1 and sup.pid != old_pid
            # How fast is a performance figure (it depends on the machine's load): printed only.
            print(f"restart took {sup.last_restart_s:.2f} s")

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
            # No wait needed: the signal is pending from here on, and a worker that did not
            # ignore it would die at its next bytecode, long before 3 more results; those
            # would then come from a restarted worker (counted before it is spawned).
            feed(mix, x, 2 * SR // HOP)
            assert len(collect(sup, 3)) == 3
            assert sup.restarts == 0 and sup.pid == pid
        finally:
            sup.stop()


def _offline_moods(x, t_offset_s):
    """(arousal, valence, capture time) per step of ``x`` read from its own start."""
    from mirage.emotion.features import EmotionFeatures
    from mirage.emotion.model import EmotionModel
    model = EmotionModel()
    F, T = EmotionFeatures(SR).push(x)
    return [(*model.predict(F[j]), t_offset_s + T[j]) for j in range(F.shape[0])]


def test_a_reset_starts_a_new_context_as_if_the_mix_began_there():
    """After `request_reset` the worker reads the next song exactly as a fresh worker would
    (bit-identical moods) while the capture clock runs on; without it the old song lingers."""
    song_a = signal_mix(10.0, seed=0)
    song_b = 3.0 * signal_mix(8.0, seed=1)[::-1].copy()  # louder, another envelope
    t0_s = 50.0
    with Ring.create(2048, (HOP,), np.float32, shared=True) as mix:
        sup = EmotionSupervisor(mix.spec, SR, t0_s=t0_s)
        try:
            sup.start()
            hops_a = len(song_a) // HOP
            feed(mix, song_a[: hops_a * HOP], 0)
            # The 19th step of A is out while the worker still reads A's last 46 hops; like the
            # engine, ask for the new context at the hop being written now (song B's first).
            assert len(collect(sup, int(hops_a * HOP / SR / 0.5))) == 19
            assert mix.written == hops_a
            assert sup.request_reset(at_hop=mix.written) == 1
            assert wait_for(lambda: sup.resets_applied == 1, HANG_S)  # served once A is read
            assert sup.resets_requested == 1
            feed(mix, song_b, 0)
            got = collect(sup, 16)
        finally:
            sup.stop()
    b = song_b[: (len(song_b) // HOP) * HOP]
    want = _offline_moods(b, t0_s + hops_a * HOP / SR)
    assert len(got) == len(want) == 16
    assert got == [tuple(float(v) for v in w) for w in want]  # exact: same features, same model
    a_then_b = _offline_moods(np.concatenate([song_a[: hops_a * HOP], b]), t0_s)[-16:]
    lingering = np.abs(np.array(a_then_b)[:, :2] - np.array(got)[:, :2]).max()
    assert lingering > 0.01, lingering  # without the reset the first song would still weigh


def test_a_looping_song_gets_a_new_context_at_every_pass():
    song = signal_mix(4.0, seed=2)  # 4 s = 375 hops: every pass starts on a hop boundary
    assert len(song) % HOP == 0
    t0_s = 10.0
    with Ring.create(2048, (HOP,), np.float32, shared=True) as mix:
        sup = EmotionSupervisor(mix.spec, SR, t0_s=t0_s, loop_samples=len(song))
        try:
            sup.start()
            feed(mix, np.concatenate([song, song, song]), 0)
            got = collect(sup, 24)
        finally:
            sup.stop()
    assert len(got) == 24
    first = _offline_moods(song, t0_s)
    for k in range(3):  # each pass reads exactly like the song alone
        assert got[8 * k: 8 * (k + 1)] == [(a, v, t + 4.0 * k) for a, v, t in
                                           [tuple(float(x) for x in m) for m in first]]
    carried = _offline_moods(np.concatenate([song, song]), t0_s)[8:]
    assert np.abs(np.array(carried)[:, :2] - np.array(got[8:16])[:, :2]).max() > 0.01


def test_a_reset_at_a_future_hop_waits_for_that_hop():
    """The engine asks for a new context at the hop being captured when the command arrives;
    the worker keeps the old context up to that hop, however early it hears of it."""
    song = signal_mix(6.0, seed=3)
    at_hop = 94  # 1.003 s: the old context has completed its steps at 0.5 s and 1.0 s
    early = 50   # hops fed before the worker may reach at_hop
    with Ring.create(2048, (HOP,), np.float32, shared=True) as mix:
        sup = EmotionSupervisor(mix.spec, SR)
        try:
            sup.start()
            sup.request_reset(at_hop=at_hop)
            feed(mix, song[: early * HOP], 0)
            # The worker looks at the request before every hop it reads: having read these,
            # it has heard it, and keeps it pending until the mix gets there.
            assert wait_for(lambda: mix.read == early, HANG_S)
            assert sup.resets_applied == 0
            feed(mix, song, early)
            got = collect(sup, 11)
            assert finish(sup, mix) == []  # 11 steps in all, not one more
            assert sup.resets_applied == 1
        finally:
            sup.stop()
    cut = at_hop * HOP
    want = _offline_moods(song[:cut], 0.0) + _offline_moods(song[cut: (len(song) // HOP) * HOP], cut / SR)
    assert len(want) == len(got) == 2 + 9
    assert got == [tuple(float(v) for v in w) for w in want]
