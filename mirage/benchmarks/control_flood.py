"""`mirage bench --realtime`: what a flood at the control port costs the features.

Three runs of ``mirage run demo`` on a JACK dummy server (4 tracks, no emotion model), the
same length: quiet; while a thread of this process sends datagrams as fast as a socket can to
a socket nobody reads ("elsewhere": the same load on the machine — the sender, the kernel's
receive path — without the engine taking part); and while it sends them to the engine's
control port (a mix of bad ones and valid queries, the flood the control's rate limit is for;
`mirage.control.rate_limit`). Reported side by side from each run's ``--stats-json``:
hop→send p50/p99 (the OSC writer, which shares the GIL with the control thread), callback
p99, hops sent, drops, and for the flood the datagrams sent, read by the control thread and
dropped by the kernel. The figure is the ratio of hop→send p99 flooded at the control port /
flooded elsewhere: what the engine's own handling of a flood costs, apart from the load the
flood puts on a 2-core machine (a ratio from one sitting; not asserted anywhere).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

FULL_SECONDS = 20.0
QUICK_SECONDS = 6.0


def _flood_datagrams() -> list[bytes]:
    from mirage.control.osc_receiver import encode_message

    return [b"\x00garbage", encode_message("/mirage/song", (9,)), encode_message("/nowhere", ()),
            encode_message("/mirage/track/0/profile", ("KAZOO",)), encode_message("/mirage/state", ())]


def _run(server, seconds: float, flood: str | None) -> dict:
    """One run; ``flood``: None, ``"elsewhere"`` or ``"control"``."""
    with tempfile.TemporaryDirectory() as tmp, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe, \
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sink, \
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as attacker, \
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as elsewhere:
        probe.bind(("127.0.0.1", 0))
        control_port = probe.getsockname()[1]
        probe.close()
        sink.bind(("127.0.0.1", 0))  # the features go here, unread (the kernel drops the overflow)
        elsewhere.bind(("127.0.0.1", 0))
        target = ("127.0.0.1", control_port) if flood == "control" else elsewhere.getsockname()
        stats_path = Path(tmp) / "stats.json"
        proc = subprocess.Popen([sys.executable, "-m", "mirage", "run", "demo", "--device", "system", "--no-emotion",
                                 "--no-zeroconf", "--osc-port", str(sink.getsockname()[1]), "--control-port",
                                 str(control_port), "--duration", f"{seconds:g}", "--stats-json", str(stats_path)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, **server.env})
        stop, sent = threading.Event(), [0]

        def blast():
            datagrams = _flood_datagrams()
            while not stop.is_set():
                for datagram in datagrams:
                    attacker.sendto(datagram, target)
                sent[0] += len(datagrams)

        thread = threading.Thread(target=blast, daemon=True)
        try:
            if flood:
                time.sleep(1.0)  # the control port is open once the run has started
                thread.start()
            proc.wait(timeout=seconds + 120)
        finally:
            stop.set()
            if thread.is_alive():
                thread.join()
            proc.kill()
        stats = json.loads(stats_path.read_text())
    control = stats["control"]
    read = control["osc"]["datagrams"]
    return {"hop_to_send_us": stats["hop_to_send_us"], "callback_us": stats["callback_us"],
            "hops_sent": stats["hops_sent"], "dropped_frames": stats["dropped_frames"], "xruns": stats["xruns"],
            "datagrams_sent": sent[0], "datagrams_read": read,
            "kernel_dropped": control["bad_input"].get("flood_dropped", 0)}


def run_control_flood(*, quick: bool, realtime: bool, log=print) -> dict:
    """A quiet and a flooded run on a fresh JACK dummy server (512 frames at 48 kHz)."""
    from mirage.audio.jack_server import JackServer

    seconds = QUICK_SECONDS if quick else FULL_SECONDS
    with JackServer(f"mirage-flood-{os.getpid()}", samplerate_hz=48000, period_frames=512,
                    realtime=realtime) as server:
        quiet = _run(server, seconds, flood=None)
        elsewhere = _run(server, seconds, flood="elsewhere")
        flooded = _run(server, seconds, flood="control")
    result = {"seconds": seconds, "quiet": quiet, "elsewhere": elsewhere, "flooded": flooded,
              "p99_ratio": flooded["hop_to_send_us"]["p99"] / elsewhere["hop_to_send_us"]["p99"]}
    log("  " + format_control_flood_line(result))
    return result


def _p50_p99(run: dict) -> str:
    hop = run["hop_to_send_us"]
    return f"{hop['p50']:.0f}/{hop['p99']:.0f}"


def format_control_flood_line(result: dict) -> str:
    runs = [result[k] for k in ("quiet", "elsewhere", "flooded")]
    f = result["flooded"]
    rate = f["datagrams_sent"] / max(result["seconds"] - 1.0, 1e-9)
    hop = " / ".join(_p50_p99(r) for r in runs)
    callback = " / ".join(f"{r['callback_us']['p99']:.0f}" for r in runs)
    hops = " / ".join(str(r["hops_sent"]) for r in runs)
    drops = " / ".join(str(r["dropped_frames"]) for r in runs)
    return (f"control-port flood, demo on JACK, {result['seconds']:g} s per run, quiet / flooding a socket "
            f"nobody reads / flooding the control port: hop→send p50/p99 {hop} µs (control port / elsewhere "
            f"p99 ×{result['p99_ratio']:.2f}); callback p99 {callback} µs; hops sent {hops}, drops {drops}; "
            f"flood at the control port: {f['datagrams_sent']} datagrams (~{rate:,.0f}/s), "
            f"{f['datagrams_read']} read, {f['kernel_dropped']} dropped by the kernel")
