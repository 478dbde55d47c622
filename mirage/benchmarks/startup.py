"""Warm start of the real commands, measured as a user meets it: fresh processes, real sockets.

Two figures, each the median of several runs (the machine is shared and noisy: min and max
are reported too), with the kernels already in the cache (one unmeasured run first):

* ``run_first_datagram``: from starting ``mirage run --input demo --clock`` (emotion on, as
  a user runs it) until its first OSC datagram reaches a UDP socket of ours;
* ``analyze_0.1s``: the whole ``mirage analyze`` process on a 0.1 s two-track file, wall time,
  with its CPU time (user + system, from the child's rusage), which depends less on the
  other load of the machine.
"""

from __future__ import annotations

import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

RUNS = 5
RUN_TIMEOUT_S = 120.0


def _mirage(*args: str) -> list[str]:
    return [sys.executable, "-m", "mirage", *args]


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_to_first_datagram_s(extra_args: list[str]) -> float:
    """Seconds from spawning ``mirage run ... --osc-port P`` to P receiving a datagram."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.settimeout(RUN_TIMEOUT_S)
        port = sock.getsockname()[1]
        t0 = time.perf_counter()
        proc = subprocess.Popen(_mirage("run", *extra_args, "--osc-port", str(port)),
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            sock.recv(65536)
            elapsed_s = time.perf_counter() - t0
        except socket.timeout:
            proc.kill()
            raise RuntimeError(f"mirage run sent nothing in {RUN_TIMEOUT_S:g} s: {proc.communicate()[1][-500:]}")
        finally:
            if proc.poll() is None:
                proc.terminate()  # SIGTERM: the engine stops cleanly
            _, err = proc.communicate(timeout=RUN_TIMEOUT_S)
        if proc.returncode != 0:
            raise RuntimeError(f"mirage run exited with {proc.returncode}: {err.strip()[-500:]}")
    return elapsed_s


def time_process_s(args: list[str]) -> tuple[float, float]:
    """(wall s, CPU s) of one ``mirage ARGS`` process run to completion."""
    cpu0 = _children_cpu_s()
    t0 = time.perf_counter()
    done = subprocess.run(_mirage(*args), capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
    wall_s = time.perf_counter() - t0
    if done.returncode != 0:
        raise RuntimeError(f"mirage {args[0]} exited with {done.returncode}: {done.stderr.strip()[-500:]}")
    return wall_s, _children_cpu_s() - cpu0


def _summary(values: list[float]) -> dict:
    return {"median_s": float(np.median(values)), "min_s": float(min(values)), "max_s": float(max(values)),
            "runs": len(values)}


def measure_warm_start(*, runs: int = RUNS, log=print) -> dict:
    """Warm-start figures of ``mirage run`` (to the first datagram) and ``mirage analyze``."""
    import soundfile as sf

    run_args = ["--input", "demo", "--clock", "--duration", "30"]
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "short.wav"
        sr_hz, n = 48000, 4800
        t = np.arange(n) / sr_hz
        sf.write(wav, np.stack([0.5 * np.sin(2 * np.pi * 440 * t), 0.1 * np.sin(2 * np.pi * 97 * t)], 1),
                 sr_hz, subtype="FLOAT")
        analyze_args = ["analyze", str(wav)]
        log("  warm start: one unmeasured run of each command (fills the caches) ...")
        time_to_first_datagram_s(run_args)
        time_process_s(analyze_args)
        first, wall, cpu = [], [], []
        for _ in range(runs):
            first.append(time_to_first_datagram_s(run_args))
            w, c = time_process_s(analyze_args)
            wall.append(w)
            cpu.append(c)
    result = {"run_first_datagram": _summary(first), "analyze_0.1s": _summary(wall),
              "analyze_0.1s_cpu": _summary(cpu)}
    log(f"  warm start: run -> first datagram {result['run_first_datagram']['median_s']:.2f} s, "
        f"analyze 0.1 s {result['analyze_0.1s']['median_s']:.2f} s (median of {runs})")
    return result


def format_startup_table(result: dict) -> str:
    """The warm-start figures as a Markdown table."""
    rows = [
        ("`mirage run --input demo --clock` → first OSC datagram", "run_first_datagram"),
        ("`mirage analyze` of a 0.1 s file, whole process (wall)", "analyze_0.1s"),
        ("`mirage analyze` of a 0.1 s file, whole process (CPU user+sys)", "analyze_0.1s_cpu"),
    ]
    lines = [f"warm start (kernels cached; median of {result['run_first_datagram']['runs']} runs, "
             "fresh processes, shared machine)", "",
             "| what | median s | min s | max s |", "|---|---:|---:|---:|"]
    for label, key in rows:
        r = result[key]
        lines.append(f"| {label} | {r['median_s']:.2f} | {r['min_s']:.2f} | {r['max_s']:.2f} |")
    return "\n".join(lines)
