"""The report of `mirage bench`: the kernel table (Markdown), the other parts' tables in a
fixed order (`SECTIONS`), the plot, and the run's metadata."""

from __future__ import annotations

import importlib
import os
from pathlib import Path

SECTIONS = (
    ("rhythm_cost", "mirage.benchmarks.rhythm_cost", "format_rhythm_cost"),
    ("peers", "mirage.benchmarks.peers", "format_peers_table"),
    ("startup", "mirage.benchmarks.startup", "format_startup_table"),
    ("batch", "mirage.benchmarks.batch_speedup", "format_batch_table"),
    ("realtime", "mirage.benchmarks.realtime", "format_realtime_table"),
    ("latency", "mirage.benchmarks.latency", "format_latency_table"),
    ("period_jitter", "mirage.benchmarks.jitter", "format_jitter_line"),
    ("control_flood", "mirage.benchmarks.control_flood", "format_control_flood_line"),
    ("replay_timing", "mirage.benchmarks.replay_timing", "format_replay_timing_line"),
)
"""(key of the result, module, formatter): the parts printed after the kernel table, in this
order, each when its key is in the result (the part ran)."""


def format_table(result: dict) -> str:
    """The results as a Markdown table (µs and % of the hop's real-time budget)."""
    budget = result["budget_us"]
    by_key = {(r["impl"], r["channels"]): r for r in result["rows"]}
    meta = result.get("meta")
    lines = [
        *([f"{meta['date_utc']}, {meta['host']} ({meta['cpu']}, {meta['cpus']} CPUs), "
           f"{'--quick run' if meta['quick'] else 'full run'}", ""] if meta else []),
        f"sr {result['sr']} Hz, n_fft {result['n_fft']}, hop {result['hop']} "
        f"(budget {budget:.1f} µs per chunk)",
        "",
        "| impl | tracks | p50 µs | p99 µs | max µs | p99 % budget | µs per track-frame (p50) | speed-up (p50) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in result["rows"]:
        lib = by_key.get(("librosa", r["channels"]))
        speedup = f"{lib['p50_us'] / r['p50_us']:.0f}×" if (r["impl"] == "mirage" and lib) else ""
        lines.append(
            f"| {r['impl']} | {r['channels']} | {r['p50_us']:.1f} | {r['p99_us']:.1f} | {r['max_us']:.1f} | "
            f"{100 * r['p99_us'] / budget:.2f} % | {r['p50_us'] / r['channels']:.2f} | {speedup} |"
        )
    off = result.get("offline")
    if off:
        lines += ["", f"offline `analyze_tracks`: {off['tracks']} tracks × {off['audio_s']:.0f} s in "
                      f"{off['elapsed_s']:.2f} s = {off['x_realtime_per_track']:.0f}× real time per track"]
    emo = result.get("emotion")
    if emo:
        lines += ["", f"emotion, per 0.5 s step ({emo['steps']} steps, one thread): "
                      f"features p50 {emo['features']['p50_us']:.0f} µs / p99 {emo['features']['p99_us']:.0f} µs; "
                      f"int8 inference p50 {emo['int8']['p50_us']:.1f} µs / p99 {emo['int8']['p99_us']:.1f} µs; "
                      f"fp32 p50 {emo['fp32']['p50_us']:.1f} µs / p99 {emo['fp32']['p99_us']:.1f} µs"]
    return "\n".join(lines)


def format_sections(result: dict) -> list[str]:
    """The text of every part of `result` that ran, in the order of `SECTIONS`."""
    return [getattr(importlib.import_module(module), formatter)(result[key])
            for key, module, formatter in SECTIONS if key in result]


def write_plot(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2))
    for impl, color in (("mirage", "tab:blue"), ("librosa", "tab:orange")):
        rows = [r for r in result["rows"] if r["impl"] == impl]
        if not rows:
            continue
        ch = [r["channels"] for r in rows]
        name = "mirage kernel loop" if impl == "mirage" else impl
        ax.plot(ch, [r["p50_us"] for r in rows], "o-", color=color, label=f"{name} p50")
        ax.plot(ch, [r["p99_us"] for r in rows], "s--", color=color, alpha=0.6, label=f"{name} p99")
    realtime = [r for r in result.get("realtime", {}).get("rows", []) if r["blocksize"] == result["hop"]]
    if realtime:
        ch = [r["channels"] for r in realtime]
        ax.plot(ch, [r["callback_us"]["p50"] for r in realtime], "D", color="tab:green", ms=7,
                label="engine callback on JACK p50")
        ax.plot(ch, [r["callback_us"]["p99"] for r in realtime], "v", color="tab:green", ms=7, alpha=0.6,
                label="engine callback on JACK p99")
    ax.axhline(result["budget_us"], color="red", lw=1, label="real-time budget (one hop)")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("tracks")
    ax.set_ylabel("latency per chunk (µs)")
    ax.set_title(f"Features of one hop ({result['hop']} samples @ {result['sr']} Hz)")
    ax.legend(fontsize=8)
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def run_metadata(*, quick: bool) -> dict:
    """When, where and how a run was made (recorded in the JSON beside the figures)."""
    import datetime
    import platform

    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), cpu)
    except OSError:
        pass
    return {"date_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "host": platform.node(), "cpu": cpu, "cpus": os.cpu_count(), "python": platform.python_version(),
            "quick": quick}
