"""Replay timing: how late `mirage replay` sends each datagram against its schedule.

A recording of M minutes is synthesised as fast as the analysis runs: the demo song looped
to M minutes and rendered offline (`mirage.recording.offline_render.write_rendered`: the
same datagrams `mirage run` would send — 4 tracks, a bundle per hop every 11.6 ms, the mood
every 0.5 s, a status every second). It is then replayed at speed 1 by the real
`mirage.recording.replayer.Replayer` through a real `OscSender` to a UDP socket of this
process (bound, not read: the kernel drops what overflows, as a receiver that is not
listening would not make ``sendto`` wait). The figure is the lateness of each send group —
the time its ``send`` returned minus its absolute deadline, on CLOCK_MONOTONIC — as p50,
p99 and max in ms, over the whole recording (the issue's target: p99 ≤ 1 ms over 10 minutes).
On a virtual machine the figure depends on the host: the CPU time the hypervisor gave to other
guests meanwhile (``steal`` in /proc/stat) is reported beside it.
It takes M minutes of wall time: the full bench replays 10 minutes, ``--quick`` 0.5.
"""

from __future__ import annotations

import os
import socket
import tempfile
from pathlib import Path

import numpy as np

FULL_MINUTES = 10.0
QUICK_MINUTES = 0.5


def synthesise_recording(path: Path, minutes: float) -> dict:
    """The demo looped to `minutes` and rendered offline into the recording `path`."""
    from mirage.load_audio import load_source
    from mirage.demo import STEM_PROFILES
    from mirage.profiles import track_pitch_ranges
    from mirage.recording.offline_render import write_rendered

    song = load_source(["demo"])
    n = int(round(minutes * 60 * song.sr_hz))
    reps = -(-n // song.audio.shape[1])
    audio = np.ascontiguousarray(np.tile(song.audio, (1, reps))[:, :n])
    ranges, profiles = track_pitch_ranges(song.track_names, default=STEM_PROFILES)
    with open(path, "wb") as fh:
        return write_rendered(fh, audio, song.sr_hz, track_names=song.track_names, instrument_names=profiles,
                              pitch_ranges_hz=ranges)


def _steal_ticks() -> int | None:
    """CPU time the hypervisor gave to others (``steal`` of /proc/stat's ``cpu`` line, in
    clock ticks, all CPUs), or None where there is no such figure."""
    try:
        with open("/proc/stat") as fh:
            fields = fh.readline().split()
        return int(fields[8])
    except (OSError, IndexError, ValueError):
        return None


def run_replay_timing(*, minutes: float, log=print) -> dict:
    """Replay a synthesised `minutes`-long recording at speed 1; the lateness figures."""
    from mirage.osc.sender import OscSender
    from mirage.recording.format import read_recording
    from mirage.recording.replayer import Replayer

    with tempfile.TemporaryDirectory(prefix="mirage-replay-bench-") as folder:
        path = Path(folder) / "bench.mrec"
        log(f"replay timing: rendering a {minutes:g}-minute recording (the demo, looped) ...")
        rendered = synthesise_recording(path, minutes)
        header, records, _ = read_recording(path)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sink:
        sink.bind(("127.0.0.1", 0))
        log(f"replay timing: replaying it at speed 1 ({minutes:g} min) ...")
        with OscSender([f"127.0.0.1:{sink.getsockname()[1]}"]) as sender:
            replayer = Replayer(header, records, sender)
            steal_before = _steal_ticks()
            stats = replayer.run()
            steal_after = _steal_ticks()
    late_ms = stats.late_ns * 1e-6
    return {
        "minutes": minutes,
        "groups": int(stats.groups_sent),
        "datagrams": int(stats.datagrams_sent),
        "records_bytes": int(rendered["bytes"]),
        "scheduling": replayer.scheduling,
        "late_ms": {"p50": round(float(np.percentile(late_ms, 50)), 4),
                    "p99": round(float(np.percentile(late_ms, 99)), 4),
                    "max": round(float(late_ms.max()), 4)},
        "over_1ms": int((late_ms > 1.0).sum()),
        "steal_share": (None if steal_before is None or steal_after is None else
                        round((steal_after - steal_before) / os.sysconf("SC_CLK_TCK") / os.cpu_count()
                              / max(stats.elapsed_s, 1e-9), 4)),
    }


def format_replay_timing_line(result: dict) -> str:
    late = result["late_ms"]
    return (f"replay timing, {result['minutes']:g} min at speed 1 ({result['groups']} send groups, "
            f"{result['datagrams']} datagrams, {result['scheduling']} scheduling): lateness against the "
            f"schedule p50 {late['p50']:.3f} ms, p99 {late['p99']:.3f} ms (target ≤ 1 ms), max {late['max']:.3f} ms; "
            f"{result['over_1ms']} groups over 1 ms"
            + (f"; the hypervisor took {result['steal_share']:.1%} of the CPUs meanwhile (steal)"
               if result.get("steal_share") is not None else ""))
