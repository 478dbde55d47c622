"""Recordings for the record/replay tests: small hand-made ones, and (session fixtures, made
once) the demo recorded live by `mirage run --record` while oscdump listened, and rendered
offline by `mirage analyze --record`."""

from __future__ import annotations

import time

import numpy as np
import pytest

from mirage.osc.hop_encoder import make_hop_encoder
from mirage.osc.status_encoder import encode_status
from mirage.recording.format import RecordingWriter, make_header
from mirage.recording.recorder import datagram_time_tag
from tests.engine_runs import run_engine
from tests.osc_receivers import OSCDUMP, OscDump, wait_for

SR_HZ, HOP = 1000.0, 10
"""Small recordings: one hop = 10 ms."""


def small_header(**overrides):
    fields = dict(sr_hz=SR_HZ, hop=HOP, n_fft=20, tracks=["a", "b"], profile="readme", bundle=True,
                  source="offline", t0_unix_ns=1_700_000_000_000_000_000)
    fields.update(overrides)
    return make_header(**fields)


def write_small(path, n_hops: int = 8, *, status_every: int = 4, bundle: bool = True):
    """A recording of `n_hops` hops of 2 tracks, one every 10 ms (send time = capture time),
    plus a plain /mirage/status every `status_every` hops. Returns the (send_ns, datagram)
    list written, in order."""
    header = small_header(bundle=bundle)
    encoder = make_hop_encoder(2, bundle=bundle)
    written = []
    with open(path, "wb") as fh:
        writer = RecordingWriter(header, fileobj=fh)
        for k in range(n_hops):
            send_ns = k * 10_000_000
            capture_s = (header.t0_unix_ns + send_ns) * 1e-9
            features = np.full((2, 8), k + 0.5, np.float32)
            datagrams = [bytes(d) for d in encoder.encode(features, capture_s)]
            if k % status_every == 0:
                datagrams.append(encode_status((k, 0, 0, 0, 0), "running"))
            for d in datagrams:
                writer.append(send_ns, datagram_time_tag(d, capture_s, capture_s), d)
                written.append((send_ns, d))
        writer.close()
    return written


def n_messages(path) -> int:
    """Messages in a recording (bundles counted per message): what a receiver prints."""
    from mirage.recording.datagrams import messages
    from mirage.recording.format import read_recording

    return sum(len(messages(r.datagram)) for r in read_recording(path)[1])


def _dump_lines(dump: OscDump, expected: int) -> list[str]:
    """oscdump's lines once it printed `expected` messages (a loaded machine may keep it
    from printing for a while; only a hang fails), probes left out."""
    def lines():
        return [line for line in dump.lines if " /probe " not in line]
    wait_for(lambda: len(lines()) >= expected)
    time.sleep(0.2)  # anything beyond what was expected shows up too
    return lines()


def replay_to_oscdump(args: list[str], expected: int) -> tuple[list[str], object]:
    """`mirage replay ARGS -o <a fresh oscdump>`; (oscdump's lines once it printed `expected`
    messages, the CompletedProcess)."""
    import subprocess
    import sys

    from mirage.osc.sender import OscSender

    dump = OscDump()
    try:
        with OscSender([f"127.0.0.1:{dump.port}"]) as probe:
            dump.wait_ready(probe)
        done = subprocess.run([sys.executable, "-m", "mirage", "replay", *args, "-o", f"127.0.0.1:{dump.port}"],
                              capture_output=True, text=True, timeout=120)
        return _dump_lines(dump, expected if done.returncode == 0 else 0), done
    finally:
        dump.stop()


@pytest.fixture(scope="session")
def live_demo(tmp_path_factory):
    """(recording path, oscdump's lines) of `mirage run --input demo --clock --record F
    --duration 3 --stats-json F.json` sent to oscdump."""
    if OSCDUMP is None:
        pytest.skip("liblo's oscdump is not installed (apt-get install liblo-tools)")
    from mirage.osc.sender import OscSender

    path = tmp_path_factory.mktemp("live") / "live.mrec"
    dump = OscDump()
    try:
        with OscSender([f"127.0.0.1:{dump.port}"]) as probe:
            dump.wait_ready(probe)
        stats = path.with_suffix(".json")
        done = run_engine(["--input", "demo", "--clock", "--record", str(path), "-o", f"127.0.0.1:{dump.port}",
                           "--duration", "3", "--stats-json", str(stats)])
        assert done.returncode == 0, done.stderr
        lines = _dump_lines(dump, n_messages(path))
    finally:
        dump.stop()
    return path, lines


def _render_demo(tmp_path_factory, *options: str):
    import subprocess
    import sys

    path = tmp_path_factory.mktemp("offline") / "demo.mrec"
    done = subprocess.run([sys.executable, "-m", "mirage", "analyze", "demo", "--record", str(path), *options],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "mirage: recorded" in done.stderr
    return path


@pytest.fixture(scope="session")
def offline_demo(tmp_path_factory):
    """The demo rendered by `mirage analyze demo --record F` (the CLI, as a user runs it)."""
    return _render_demo(tmp_path_factory)


@pytest.fixture(scope="session")
def offline_demo_mirage_code(tmp_path_factory):
    """The demo rendered by `mirage analyze demo --record F --osc-profile mirage-code`."""
    return _render_demo(tmp_path_factory, "--osc-profile", "mirage-code")
