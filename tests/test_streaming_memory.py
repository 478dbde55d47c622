"""`mirage analyze` in bounded memory: peak RSS of real runs does not grow with the length.

A 4-minute and a 16-minute 8-channel file (16 kHz): the decoded audio differs by 352 MB
(float32), the peak RSS of `mirage analyze` (a subprocess, ``ru_maxrss``) by a few MB at most,
for each output (CSV, Parquet, the summary table). Measured 2026-12-01 (4 -> 16 min): CSV
156.5 -> 155.3 MB, Parquet 207.4 -> 213.5 MB (one row group of 65536 rows, reached only by the
longer file), summary 172.8 -> 176.4 MB. A 2-hour stereo 44.1 kHz file (2.4 GB decoded),
``python -m mirage.benchmarks.analyze_memory --minutes 2 120``: CSV 152.6 -> 154.6 MB,
Parquet 204.7 -> 218.9 MB, summary 160.2 -> 161.2 MB (2 min -> 2 h).
"""

import pytest

from mirage.benchmarks.analyze_memory import measure

GROWTH_BOUND_MB = 20.0


@pytest.mark.slow
def test_peak_rss_does_not_grow_with_the_length(tmp_path):
    pytest.importorskip("pyarrow")
    short = measure(tmp_path, minutes=4, sr_hz=16000, channels=8)
    long = measure(tmp_path, minutes=16, sr_hz=16000, channels=8)
    audio_growth_mb = long["decoded_mb"] - short["decoded_mb"]
    assert audio_growth_mb > 350
    for kind in ("csv", "parquet", "summary"):
        growth = long[kind] - short[kind]
        print(f"{kind}: {short[kind]:.1f} MB at 4 min, {long[kind]:.1f} MB at 16 min")
        assert growth < GROWTH_BOUND_MB, (kind, short, long)
