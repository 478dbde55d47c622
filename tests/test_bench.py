"""`mirage bench` really measures and writes its report (figures are not asserted).

Functional checks only: the rows are there, every figure is a positive, ordered percentile
set, skipped peers say why. The click injector and the click matcher are checked exactly on
known input; the JACK runs are checked for having measured something, never for how fast.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import require_jack_tools
from mirage.audio.state_table_layout import INJ_CLICKS, INJ_STATE
from mirage.benchmarks.latency import (
    CLICK_BLOCK, CLICK_OFFSET, CLICK_RECORD_LEN, CLICK_SAMPLE, CLICK_TIME_NS, INJ_NEXT_CLICK, INJ_PERIOD,
    INJ_STATE_LEN, click_process, match_clicks,
)


def _ordered(p: dict, keys=("p50_us", "p99_us", "max_us")) -> bool:
    values = [p[k] for k in keys]
    return 0 < values[0] <= values[1] <= values[2]


def test_quick_bench_writes_json_and_plot(tmp_path):
    out, plot = tmp_path / "b.json", tmp_path / "b.png"
    done = subprocess.run([sys.executable, "-m", "mirage", "bench", "--quick", "--channels", "1,4",
                           "--replay-minutes", "0.1", "--json", str(out), "--plot", str(plot)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    result = json.loads(out.read_text())
    assert result["sr"] == 48000 and result["n_fft"] == 2048 and result["hop"] == 512
    assert result["budget_us"] == 10666.7
    meta = result["meta"]
    assert meta["quick"] is True and meta["host"] and meta["date_utc"].startswith("20") and meta["cpus"] >= 1
    rows = {(r["impl"], r["channels"]): r for r in result["rows"]}
    assert set(rows) == {("mirage", 1), ("librosa", 1), ("mirage", 4), ("librosa", 4)}
    for r in rows.values():
        assert _ordered(r) and r["chunks"] >= 10
    assert result["offline"]["x_realtime_per_track"] > 0
    rhythm = result["rhythm_cost"]  # the rhythm layer, with and without, per track-frame (figures: not asserted)
    assert [r["channels"] for r in rhythm["rows"]] == [1, 4] and rhythm["budget_us_per_track_frame"] == 1.5
    for r in rhythm["rows"]:
        assert _ordered(r["off"]) and _ordered(r["on"])
        assert r["added_us_per_track_frame"] == pytest.approx(r["on_us_per_track_frame"] - r["off_us_per_track_frame"])
    assert "per-track rhythm layer" in done.stdout and "| tracks | without µs | with µs | added µs |" in done.stdout
    assert result["emotion"]["steps"] > 0 and result["emotion"]["int8"]["p50_us"] > 0
    assert plot.stat().st_size > 10_000
    assert "| mirage | 4 |" in done.stdout and "speed-up" in done.stdout
    startup = result["startup"]  # real `mirage run` / `mirage analyze` processes, 3 each
    for key in ("run_first_datagram", "analyze_0.1s", "analyze_0.1s_cpu"):
        assert startup[key]["runs"] == 3 and 0 < startup[key]["min_s"] <= startup[key]["median_s"] <= startup[key]["max_s"]
    assert "first OSC datagram" in done.stdout and "| what | median s |" in done.stdout
    batch = result["batch"]  # `mirage batch`, 2 local processes against 1, same files
    assert batch["files"] == 4 and batch["jobs1_s"] > 0 and batch["jobs2_s"] > 0
    assert batch["speedup"] == pytest.approx(batch["jobs1_s"] / batch["jobs2_s"])
    assert "speed-up with 2 local processes" in done.stdout
    replay = result["replay_timing"]  # 6 s of the demo replayed at speed 1 (figures: not asserted)
    assert replay["minutes"] == 0.1 and replay["groups"] > 400 and replay["datagrams"] >= replay["groups"]
    assert 0 <= replay["late_ms"]["p50"] <= replay["late_ms"]["p99"] <= replay["late_ms"]["max"]
    assert "replay timing, 0.1 min at speed 1" in done.stdout

    peers = {r["impl"]: r for r in result["peers"]["rows"]}
    assert set(peers) == {"mirage", "librosa", "essentia", "aubio"}
    for name, r in peers.items():
        if "skipped" in r:  # essentia/aubio come from the optional bench extra
            assert name in ("essentia", "aubio") and "pip install" in r["skipped"]
            assert f"| {name} | skipped:" in done.stdout
        else:
            assert _ordered(r) and r["frames"] == result["peers"]["n_frames"]
            assert f"| {name} | " in done.stdout
        assert result["peers"]["notes"][name]


def test_bench_rejects_bad_channels():
    done = subprocess.run([sys.executable, "-m", "mirage", "bench", "--channels", "1,x"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "--channels" in done.stderr and "Traceback" not in done.stderr


# --------------------------------------------------------------------------- click injector


def _injector_table(period: int):
    from kernels.ring import Ring
    from mirage.audio.raw_stream import StateTable

    table = StateTable()
    state = np.zeros(INJ_STATE_LEN, np.int64)
    state[INJ_NEXT_CLICK] = period
    state[INJ_PERIOD] = period
    clicks = Ring.create(64, CLICK_RECORD_LEN, np.int64)
    table.set(INJ_STATE, state)
    table.set(INJ_CLICKS, clicks)
    return table, clicks


@pytest.mark.parametrize("blocksize", [1, 64, 100, 512])
def test_click_process_writes_one_sample_per_period_and_logs_it(blocksize):
    period = 300
    n_blocks = -(-3000 // blocksize)
    table, ring = _injector_table(period)
    signal = []
    inp = np.zeros((blocksize, 0), np.float32)
    for _ in range(n_blocks):
        out = np.full((blocksize, 2), 7.0, np.float32)
        assert click_process(table.array, inp, out) == 0
        signal.append(out.copy())
    signal = np.concatenate(signal)
    expected = np.arange(period, blocksize * n_blocks, period)
    assert np.array_equal(np.nonzero(signal[:, 0])[0], expected)
    assert np.array_equal(signal[:, 0], signal[:, 1]) and set(np.unique(signal)) <= {0.0, 1.0}
    records = []
    rec = np.empty(CLICK_RECORD_LEN, np.int64)
    while ring.pop(rec):
        records.append(rec.copy())
    records = np.array(records)
    assert np.array_equal(records[:, CLICK_SAMPLE], expected)
    assert np.array_equal(records[:, CLICK_OFFSET], expected % blocksize)
    assert np.all(records[:, CLICK_BLOCK] == blocksize)
    assert np.all(np.diff(records[:, CLICK_TIME_NS]) >= 0) and records[0, CLICK_TIME_NS] > 0


def _datagram(centroid: float) -> bytes:
    from pythonosc.osc_bundle_builder import IMMEDIATELY, OscBundleBuilder
    from pythonosc.osc_message_builder import OscMessageBuilder

    bundle = OscBundleBuilder(IMMEDIATELY)
    for ch in range(2):
        msg = OscMessageBuilder(f"/Lfmsg_ch{ch}")
        for value in (centroid, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0):
            msg.add_arg(value, "f")
        bundle.add_content(msg.build())
    return bundle.build().dgram


def test_match_clicks_takes_the_first_loud_datagram_after_each_click():
    clicks = np.zeros((4, CLICK_RECORD_LEN), np.int64)
    clicks[:, CLICK_TIME_NS] = [100, 1000, 2000, 3000]
    datagrams = [(90, _datagram(5000.0)),     # before the first click: ignored (settling)
                 (150, _datagram(0.0)), (160, _datagram(9000.0)), (170, _datagram(8000.0)),
                 (1100, _datagram(0.0)), (1990, _datagram(0.0)),  # click 1 never seen: missed
                 (2500, _datagram(4000.0)),
                 (3001, _datagram(12000.0))]
    matched, missed = match_clicks(clicks, datagrams, after_ns=50)
    assert matched.tolist() == [[0, 160], [2, 2500], [3, 3001]] and missed == 1
    matched, missed = match_clicks(clicks, datagrams, after_ns=500)
    assert matched[:, 0].tolist() == [2, 3] and missed == 1


# --------------------------------------------------------------------------- on JACK


@pytest.fixture
def jack_tools():
    require_jack_tools()


@pytest.mark.jack
def test_realtime_rows_and_kernel_ratio(jack_tools):
    from mirage.benchmarks.realtime import add_kernel_ratio, format_realtime_table, run_realtime_benchmark

    result = run_realtime_benchmark(quick=True, rows=((512, 2), (128, 2)), seconds=2.0, log=lambda _: None)
    assert [(r["blocksize"], r["channels"]) for r in result["rows"]] == [(512, 2), (128, 2)]
    # the machine's floor: a do-nothing client per server, as long as the rows
    assert [(f["blocksize"], f["seconds"]) for f in result["floor"]] == [(512, 2.0), (128, 2.0)]
    assert all(f["callbacks"] > 0 and 0 <= f["xrun_callbacks"] <= f["callbacks"] for f in result["floor"])
    for r in result["rows"]:
        assert r["budget_us"] == round(r["blocksize"] / 48000 * 1e6, 1)
        assert r["callbacks"] > 0 and r["datagrams_received"] > 0
        assert _ordered(r["callback_us"], ("p50", "p99", "max")) and r["callback_max_pct_budget"] > 0
        assert r["xruns"] >= 0 and r["dropped_frames"] >= 0
        assert 0 <= r["xruns_after_overrun"] <= r["xruns"]   # the engine's own share of them
    assert [w["blocksize"] for w in result["warmup_runs"]] == [512, 128]  # one unreported run per server
    kernel = [{"impl": "mirage", "channels": 2, "p99_us": 50.0}]
    add_kernel_ratio(result, kernel)
    at_512, at_128 = result["rows"]
    assert at_512["callback_p99_over_kernel_p99"] == pytest.approx(at_512["callback_us"]["p99"] / 50.0)
    assert "callback_p99_over_kernel_p99" not in at_128
    table = format_realtime_table(result)
    assert "| 512 | 2 |" in table and "| 128 | 2 |" in table and "max % budget" in table
    assert "not in the table" in table


@pytest.mark.jack
def test_click_latency_through_the_engine(jack_tools):
    from mirage.benchmarks.latency import format_latency_table, run_latency_benchmark

    result = run_latency_benchmark(quick=True, realtime=False, blocksizes=(128,), seconds=3.0, log=lambda _: None)
    (row,) = result["rows"]
    assert row["blocksize"] == 128 and row["clicks"] >= 3
    cycle, sound = row["cycle_to_udp_ms"], row["sound_to_udp_ms"]
    assert 0 < cycle["p50"] <= cycle["p99"] <= cycle["max"]
    assert all(sound[k] > cycle[k] for k in ("p50", "p99", "max"))  # every click adds its block's fill
    assert result["original_chunk_ms"] == pytest.approx(4096 / 44100 * 1e3)
    assert "| 128 | 2.67 |" in format_latency_table(result)


def test_a_peer_that_does_not_import_is_shown_as_skipped(monkeypatch):
    from mirage.benchmarks.peers import PEER_NOTES, format_peers_table, peer_missing

    monkeypatch.setitem(sys.modules, "aubio", None)  # import aubio now fails as if not installed
    reason = peer_missing("aubio")
    assert reason and "pip install -e '.[bench]'" in reason
    result = {"n_frames": 10, "notes": PEER_NOTES,
              "rows": [{"impl": "mirage", "frames": 10, "p50_us": 10.0, "p99_us": 20.0, "max_us": 30.0},
                       {"impl": "librosa", "frames": 10, "p50_us": 500.0, "p99_us": 600.0, "max_us": 700.0},
                       {"impl": "aubio", "skipped": reason}]}
    table = format_peers_table(result)
    assert "| mirage | 10.0 | 20.0 | 30.0 | 50.0× |" in table and "| aubio | skipped: not installed" in table
