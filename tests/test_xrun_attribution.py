"""Whose xrun: `mirage.engine.xrun_attribution` on hand-made timing records."""

import numpy as np

from mirage.engine.xrun_attribution import XrunAttribution

SR_HZ = 48000.0
BLOCK = 64
BUDGET_NS = BLOCK / SR_HZ * 1e9   # 1.33 ms


def _drain(attribution, durations_us, flagged_at=()):
    durations = np.asarray(durations_us, dtype=np.float64) * 1e3
    flagged = np.zeros(len(durations), dtype=bool)
    flagged[list(flagged_at)] = True
    attribution.add(durations.astype(np.int64), np.full(len(durations), BLOCK), flagged)


def test_an_xrun_after_callbacks_within_their_block_is_the_machines():
    a = XrunAttribution(SR_HZ)
    _drain(a, [100, 200, 300, 100, 50], flagged_at=[3])
    assert (a.xruns, a.after_overrun, a.machine) == (1, 0, 1)


def test_an_xrun_after_a_callback_over_its_block_is_the_engines():
    a = XrunAttribution(SR_HZ)
    _drain(a, [100, 1400, 100, 100, 100, 2000, 100], flagged_at=[2, 6])
    assert (a.xruns, a.after_overrun, a.machine) == (2, 2, 0)


def test_only_the_two_callbacks_before_the_flag_count():
    a = XrunAttribution(SR_HZ)
    _drain(a, [1400, 100, 100, 100], flagged_at=[3])   # the overrun was three callbacks earlier
    assert (a.xruns, a.after_overrun) == (1, 0)
    b = XrunAttribution(SR_HZ)
    _drain(b, [1334, 100, 100], flagged_at=[2])        # 1.334 ms > 1.333 ms: two callbacks earlier
    assert (b.xruns, b.after_overrun) == (1, 1)


def test_the_overrun_before_a_drain_counts_in_the_next_drain():
    a = XrunAttribution(SR_HZ)
    _drain(a, [100, 100, 5000])
    _drain(a, [100, 100], flagged_at=[0])   # flagged right after the overrun, in the next drain
    assert (a.xruns, a.after_overrun) == (1, 1)
    _drain(a, [], flagged_at=[])
    _drain(a, [100], flagged_at=[0])        # two callbacks after: 100 and 100 before it
    assert (a.xruns, a.after_overrun) == (2, 1)


def test_the_budget_is_each_callbacks_own_block():
    a = XrunAttribution(SR_HZ)
    # 2 ms is over a 64-frame block (1.33 ms) but within a 128-frame one (2.67 ms)
    a.add(np.array([2_000_000, 100_000]), np.array([128, 128]), np.array([False, True]))
    assert a.after_overrun == 0
    a.add(np.array([2_000_000, 100_000]), np.array([64, 64]), np.array([False, True]))
    assert a.after_overrun == 1
