"""`mirage bench --realtime`'s control-flood line, from a result of the shape the benchmark
returns (the benchmark itself runs in `mirage bench`, not here: its figures are the machine's)."""

from mirage.benchmarks.control_flood import format_control_flood_line


def _run(p50, p99, sent=0, read=0, dropped=0):
    return {"hop_to_send_us": {"p50": p50, "p99": p99, "max": 9e3}, "callback_us": {"p50": 60, "p99": 140, "max": 300},
            "hops_sent": 1875, "dropped_frames": 0, "xruns": 0, "datagrams_sent": sent, "datagrams_read": read,
            "kernel_dropped": dropped}


def test_the_line_gives_the_three_runs_and_the_ratio_to_the_flood_elsewhere():
    result = {"seconds": 20.0, "quiet": _run(210, 630), "elsewhere": _run(201, 1873),
              "flooded": _run(220, 3332, sent=1_900_000, read=10_000, dropped=1_880_000), "p99_ratio": 3332 / 1873}
    line = format_control_flood_line(result)
    assert "hop→send p50/p99 210/630 / 201/1873 / 220/3332 µs (control port / elsewhere p99 ×1.78)" in line
    assert "1900000 datagrams (~100,000/s), 10000 read, 1880000 dropped by the kernel" in line
