"""`mirage bench` really measures and writes its report (figures are not asserted)."""

from __future__ import annotations

import json
import subprocess
import sys


def test_quick_bench_writes_json_and_plot(tmp_path):
    out, plot = tmp_path / "b.json", tmp_path / "b.png"
    done = subprocess.run([sys.executable, "-m", "mirage", "bench", "--quick", "--channels", "1,4",
                           "--json", str(out), "--plot", str(plot)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    result = json.loads(out.read_text())
    assert result["sr"] == 48000 and result["n_fft"] == 2048 and result["hop"] == 512
    assert result["budget_us"] == 10666.7
    rows = {(r["impl"], r["channels"]): r for r in result["rows"]}
    assert set(rows) == {("mirage", 1), ("librosa", 1), ("mirage", 4), ("librosa", 4)}
    for r in rows.values():
        assert 0 < r["p50_us"] <= r["p99_us"] <= r["max_us"]
    assert result["offline"]["x_realtime_per_track"] > 0
    assert result["emotion"]["steps"] > 0 and result["emotion"]["int8"]["p50_us"] > 0
    assert plot.stat().st_size > 10_000
    assert "| mirage | 4 |" in done.stdout and "speed-up" in done.stdout
    startup = result["startup"]  # real `mirage run` / `mirage analyze` processes, 3 each
    for key in ("run_first_datagram", "analyze_0.1s", "analyze_0.1s_cpu"):
        assert startup[key]["runs"] == 3 and 0 < startup[key]["min_s"] <= startup[key]["median_s"] <= startup[key]["max_s"]
    assert "first OSC datagram" in done.stdout and "| what | median s |" in done.stdout


def test_bench_rejects_bad_channels():
    done = subprocess.run([sys.executable, "-m", "mirage", "bench", "--channels", "1,x"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "--channels" in done.stderr and "Traceback" not in done.stderr
