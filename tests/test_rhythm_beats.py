"""The mix's tempo, phase and beat triggers (mirage.rhythm), offline and through the engine."""

from __future__ import annotations

import time

import numpy as np
import pytest

from mirage.rhythm.offline_beats import beats, track_mix

SR = 48000
HOP = 512


def clicks(times_s, duration_s, sr=SR):
    """Short 1 kHz clicks (2 ms decay) starting at ``times_s``."""
    y = np.zeros(int(duration_s * sr), np.float32)
    n = np.arange(int(0.01 * sr))
    click = (0.5 * np.sin(2 * np.pi * 1000 * n / sr) * np.exp(-n / (0.002 * sr))).astype(np.float32)
    for t in times_s:
        i = int(round(t * sr))
        y[i:i + click.size] += click[:max(0, min(click.size, y.size - i))]
    return y


def nearest_error_s(beat_times, click_times):
    click_times = np.asarray(click_times)
    return np.array([b - click_times[np.argmin(np.abs(click_times - b))] for b in beat_times])


def test_steady_120_bpm_clicks_give_120_bpm_and_beats_on_the_clicks():
    times = np.arange(0.5, 30.0, 0.5)
    r = track_mix(clicks(times, 30.0), SR, HOP)
    after = r.time_s >= 8.0
    assert np.all(np.abs(r.bpm[after] - 120.0) <= 1.0)
    assert np.all(r.confidence[after] > 0.5)
    locked = [b.time_s for b in r.beats if 8.0 <= b.time_s <= times[-1] + 0.1]
    assert len(locked) >= 40
    assert np.max(np.abs(nearest_error_s(locked, times))) <= 0.020
    # each trigger is decided before its time (sent ahead), never after
    assert all(b.decided_s <= b.time_s for b in r.beats)
    assert np.mean([b.time_s - b.decided_s for b in r.beats if b.time_s > 8]) > 0.1


def test_silence_and_noise_give_no_beats():
    r = track_mix(np.zeros(SR * 12, np.float32), SR, HOP)
    assert r.beats == [] and np.all(r.confidence == 0) and np.all(r.phase == 0)
    rng = np.random.default_rng(1)
    r = track_mix((0.1 * rng.standard_normal(SR * 12)).astype(np.float32), SR, HOP)
    assert r.beats == []


def test_clicks_then_silence_stop_the_beats():
    times = np.arange(0.5, 12.0, 0.5)
    r = track_mix(clicks(times, 24.0), SR, HOP)
    assert any(b.time_s < 12.5 for b in r.beats)
    assert not any(b.time_s > 20.0 for b in r.beats)


def test_a_tempo_change_is_followed():
    times = np.r_[np.arange(0.5, 15.0, 0.5), 15.0 + np.arange(0.0, 15.0, 0.4)]  # 120 then 150 BPM
    r = track_mix(clicks(times, 30.0), SR, HOP)
    assert abs(r.bpm[np.searchsorted(r.time_s, 14.0)] - 120.0) <= 1.0
    late = r.time_s >= 22.0
    assert np.all(np.abs(r.bpm[late] - 150.0) <= 1.5)
    after = [b.time_s for b in r.beats if 22.0 <= b.time_s <= times[-1] + 0.1]
    assert len(after) >= 15
    assert np.max(np.abs(nearest_error_s(after, times))) <= 0.025


def test_phase_rises_between_beats():
    times = np.arange(0.5, 20.0, 0.5)
    r = track_mix(clicks(times, 20.0), SR, HOP)
    hops = (r.time_s > 10.0) & (r.time_s < 19.0)
    phase = r.phase[hops]
    assert np.all((phase >= 0) & (phase < 1))
    wraps = np.sum(np.diff(phase) < -0.5)
    assert 16 <= wraps <= 19  # about one per beat over 9 s at 120 BPM


def test_the_public_api_takes_tracks_first_arrays():
    y = clicks(np.arange(0.5, 16.0, 0.5), 16.0)
    one = beats(y, SR)
    two = beats(np.stack([y, y]), SR)
    assert one.dtype.names == ("time_s", "bpm", "confidence")
    assert one.size > 10
    np.testing.assert_array_equal(one, two)


def test_live_beat_stage_equals_offline():
    """The engine's beat stage, tapping a mix ring that another consumer empties, gives the
    offline tracker's beats and hops exactly."""
    from kernels.ring import Ring, ring_push
    from mirage.engine.beat_stage import BeatStage

    y = clicks(np.arange(0.3, 14.0, 0.43), 14.0)
    y += (0.01 * np.random.default_rng(2).standard_normal(y.size)).astype(np.float32)
    offline = track_mix(y, SR, HOP)
    ring = Ring.create(2048, (HOP,), np.float32)
    stage = BeatStage(ring, SR, HOP)
    popped = np.zeros(HOP, np.float32)
    live = []
    n_hops = -(-y.size // HOP)
    padded = np.zeros(n_hops * HOP, np.float32)
    padded[:y.size] = y
    for h in range(n_hops):
        ring_push(ring.header, ring.data, padded[h * HOP:(h + 1) * HOP])
        if h % 3 == 2:   # the stage runs now and then, several hops at a time
            stage.step()
        ring.pop(popped)  # the ring's own consumer (the emotion worker) is not disturbed
    stage.step()
    while (r := stage.pop()) is not None:
        live.append(r)
    assert len(live) == n_hops
    np.testing.assert_array_equal([r.bpm for r in live], offline.bpm)
    np.testing.assert_array_equal([r.phase for r in live], offline.phase)
    assert [b for r in live for b in r.beats] == offline.beats
    assert stage.hops_lost == 0


def test_a_new_song_forgets_the_tempo_but_not_the_clock():
    """`BeatStage.request_reset` at the hop of a song change: the first song's beats stop at the
    change, the second song's tempo is found from scratch, times and beat indices go on."""
    from kernels.ring import Ring, ring_push
    from mirage.engine.beat_stage import BeatStage

    first = clicks(np.arange(0.5, 12.0, 0.5), 12.0)           # 120 BPM
    second = clicks(np.arange(0.25, 12.0, 0.4), 12.0)         # 150 BPM
    ring = Ring.create(4096, (HOP,), np.float32)
    stage = BeatStage(ring, SR, HOP)
    live = []
    change_hop = first.size // HOP
    for song_index, y in enumerate((first, second)):
        if song_index == 1:
            stage.request_reset(ring.written)  # what Engine.request_beat_reset passes
        for h in range(y.size // HOP):
            ring_push(ring.header, ring.data, y[h * HOP:(h + 1) * HOP])
            if h % 5 == 4:
                stage.step()
    stage.step()
    while (r := stage.pop()) is not None:
        live.append(r)
    change_s = live[change_hop].time_s - HOP / SR
    times = np.array([r.time_s for r in live])
    assert np.all(np.diff(times) > 0)                    # the clock goes on
    assert live[change_hop - 1].confidence > 0.5 and live[change_hop].confidence == 0.0
    sent = [b for r in live for b in r.beats]
    assert [b.index for b in sent] == list(range(len(sent)))  # indices go on
    assert not [b for b in sent if change_s <= b.decided_s < change_s + 1.0]  # no beat of the old song
    late = (times >= change_s + 8.0)
    assert np.all(np.abs(np.array([r.bpm for r in live])[late] - 150.0) <= 1.5)


def test_the_tap_skips_overwritten_hops_and_counts_them():
    from kernels.ring import Ring, ring_push
    from mirage.engine.beat_stage import BeatStage

    ring = Ring.create(16, (HOP,), np.float32)
    stage = BeatStage(ring, SR, HOP)
    for _ in range(40):
        ring_push(ring.header, ring.data, np.zeros(HOP, np.float32))
    assert stage.step() == 15  # capacity - 1 readable
    assert stage.hops_lost == 25


@pytest.mark.parametrize("bundle", [True, False])
def test_wire_format_read_by_oscdump(bundle):
    from tests.osc_receivers import OSCDUMP, OscDump, parse_oscdump_line, wait_for

    from mirage.osc.beat_encoder import BeatEncoder
    from mirage.osc.primitives import ntp_timetag
    from mirage.osc.sender import OscSender

    if OSCDUMP is None:
        pytest.skip("oscdump (liblo-tools) is not installed")
    dump = OscDump()
    try:
        with OscSender([f"127.0.0.1:{dump.port}"]) as sender:
            dump.wait_ready(sender)
            enc = BeatEncoder(bundle=bundle)
            now_s = time.time()  # liblo holds a bundle until its time tag: a beat 0.3 s ahead
            sender.send(enc.encode_hop(127.5, 0.75, 0.25, now_s))
            sender.send([enc.encode_beat(7, 127.5, now_s + 0.3)])
            assert wait_for(lambda: any("/mirage/beat" in line for line in dump.lines))
    finally:
        dump.stop()
    parsed = {p[1]: p for p in map(parse_oscdump_line, [line for line in dump.lines if "/mirage/" in line])}
    assert parsed["/mirage/tempo"][2:] == ("ff", [127.5, 0.75])
    assert parsed["/mirage/phase"][2:] == ("f", [0.25])
    assert parsed["/mirage/beat"][2:] == ("if", [7.0, 127.5])
    if bundle:
        tag = ntp_timetag(now_s + 0.3)
        assert parsed["/mirage/beat"][0] == f"{tag >> 32:08x}.{tag & 0xFFFFFFFF:08x}"


def test_status_line_shows_the_tempo_only_with_rhythm():
    from types import SimpleNamespace

    from mirage.engine.status_format import format_plain

    line = format_plain(SimpleNamespace(elapsed_s=1.0, tempo=(128.0, 0.7, 0.25)))
    assert line.endswith(" tempo=128.0 confidence=0.70 phase=0.25")
    assert "tempo=" not in format_plain(SimpleNamespace(elapsed_s=1.0, rhythm=None))
    assert "tempo=" not in format_plain(SimpleNamespace(elapsed_s=1.0, tempo=(float("nan"), 0.1, 0.2)))


def test_an_array_without_its_rate_is_a_parameter_error():
    from mirage.errors import ParameterError

    with pytest.raises(ParameterError, match="sr_hz"):
        beats(np.zeros(1000, np.float32))
