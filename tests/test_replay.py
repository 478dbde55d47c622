"""`mirage replay`: the schedule (pure), the send loop, and the command against real
receivers (liblo's oscdump, a UDP socket). No test asserts a timing: the schedule is
checked as numbers, the timing error is `mirage bench`'s."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading

import numpy as np
import pytest

from mirage import cli
from mirage.recording.datagrams import addresses, bundle_time_tag, is_bundle, messages
from mirage.recording.format import read_recording
from mirage.recording.replayer import LOOP_MARKER, Replayer, Schedule, _wait_until, group_records
from mirage.recording.summary import address_counts
from tests.osc_receivers import HANG_S, wait_for
from tests.recordings import n_messages, replay_to_oscdump, write_small

NTP_S = 2**32


def test_the_schedule_is_absolute_deadlines_from_the_recorded_send_times():
    send = np.array([0, 10, 10, 25, 40], np.int64) * 1_000_000
    s = Schedule.make(send, hop_ns=5_000_000)
    assert s.first == 0 and s.period_ns == 45_000_000
    assert [s.offset_ns(0, i) for i in range(5)] == list(send)
    assert [s.offset_ns(2, i) for i in range(5)] == list(send + 90_000_000)  # never accumulated
    fast = Schedule.make(send, hop_ns=5_000_000, speed=4)
    assert [fast.offset_ns(1, i) for i in range(5)] == [round((45_000_000 + t) / 4) for t in send]
    late = Schedule.make(send, hop_ns=5_000_000, start_s=0.02)   # --start 20 ms: from the group at 25 ms
    assert late.first == 3 and late.offset_ns(0, 3) == 0 and late.offset_ns(0, 4) == 15_000_000
    assert late.period_ns == 20_000_000
    with pytest.raises(cli.MirageError, match="past the recording's end"):
        Schedule.make(send, hop_ns=1, start_s=0.05)
    with pytest.raises(cli.MirageError, match="--speed"):
        Schedule.make(send, hop_ns=1, speed=0)


def test_time_tags_shift_by_one_constant_per_pass_and_scale_with_speed():
    s = Schedule.make(np.array([0, 10_000_000]), hop_ns=10_000_000)
    ref_old, ref_new = 1000 * NTP_S, 5000 * NTP_S
    tags = [1000 * NTP_S + 7, 1000 * NTP_S + NTP_S // 100]
    assert [s.retag(t, 0, ref_old, ref_new) - t for t in tags] == [4000 * NTP_S] * 2
    period_ntp = round(20_000_000 * NTP_S / 1e9)
    assert [s.retag(t, 3, ref_old, ref_new) - t for t in tags] == [4000 * NTP_S + 3 * period_ntp] * 2
    fast = Schedule.make(np.array([0, 10_000_000]), hop_ns=10_000_000, speed=4)
    assert fast.retag(ref_old + NTP_S, 0, ref_old, ref_new) == ref_new + NTP_S // 4


def test_wait_until_returns_at_once_on_a_stop_request():
    import time

    stop = threading.Event()
    stop.set()
    assert _wait_until(time.monotonic_ns() + 3_600 * 10**9, stop) is True


class _Collect:
    """A sender that keeps what it is given; stops the replay after `passes` markers."""

    def __init__(self, stop=None, passes=0):
        self.sent: list[list[bytes]] = []
        self.stop, self.passes = stop, passes

    def send(self, datagrams, capture_time_s=None):
        self.sent.append(list(datagrams))
        if self.stop is not None and sum(LOOP_MARKER in d for d in self.sent) >= self.passes:
            self.stop.set()


def test_replay_sends_every_group_in_order_with_shifted_tags(tmp_path):
    path = tmp_path / "r.mrec"
    written = write_small(path, 6)
    header, records, _ = read_recording(path)
    sender = _Collect()
    stats = Replayer(header, records, sender).run()
    flat = [d for group in sender.sent for d in group]
    assert stats.passes == 1 and stats.datagrams_sent == len(written) == len(flat)
    assert len(sender.sent) == len(group_records(records)[1])
    shifts = set()
    for (_, recorded), replayed in zip(written, flat):
        assert recorded[16:] == replayed[16:] if is_bundle(recorded) else recorded == replayed
        if is_bundle(recorded):
            shifts.add(bundle_time_tag(replayed) - bundle_time_tag(recorded))
    assert len(shifts) == 1


def test_loop_sends_the_marker_at_each_new_pass(tmp_path):
    path = tmp_path / "r.mrec"
    written = write_small(path, 4)
    header, records, _ = read_recording(path)
    stop = threading.Event()
    sender = _Collect(stop, passes=3)  # stops in the 4th pass
    stats = Replayer(header, records, sender, loop=True).run(stop=stop)
    flat = [d for group in sender.sent for d in group]
    assert stats.markers_sent == 3 and stats.passes == 4
    n = len(written)
    assert flat[n] == LOOP_MARKER and flat[2 * n + 1] == LOOP_MARKER
    assert addresses(LOOP_MARKER) == ["/mirage/emotion/reset"]
    for p in range(2):  # each pass: the recording again, its tags one period later
        first = flat[:n]
        again = flat[(n + 1) * (p + 1):(n + 1) * (p + 1) + n]
        assert [d[16:] if is_bundle(d) else d for d in again] == [d[16:] if is_bundle(d) else d for d in first]
        period_ntp = bundle_time_tag(again[0]) - bundle_time_tag(first[0])
        assert period_ntp == round((p + 1) * 40_000_000 * NTP_S / 1e9)


def test_no_bundle_unpacks_every_bundle(tmp_path):
    path = tmp_path / "r.mrec"
    write_small(path, 3)
    header, records, _ = read_recording(path)
    sender = _Collect()
    Replayer(header, records, sender, unbundle=True).run()
    flat = [d for group in sender.sent for d in group]
    assert flat == [m for r in records for m in messages(r.datagram)]
    assert all(d.startswith(b"/") for d in flat)


def _split(line: str) -> tuple[str, str]:
    tag, rest = line.split(" ", 1)
    return tag, rest


def _tag(text: str) -> int:
    seconds, fraction = text.split(".")
    return int(seconds, 16) << 32 | int(fraction, 16)


def test_a_recording_and_its_replay_are_the_same_at_the_receiver(live_demo):
    """oscdump received `mirage run --record F` live; now `mirage replay F`: the same
    messages in the same order with the same arguments, the bundles' time tags all shifted
    by one constant (oscdump prints a plain message, /mirage/status, with its arrival time)."""
    path, live_lines = live_demo
    replay_lines, done = replay_to_oscdump([str(path)], n_messages(path))
    assert done.returncode == 0, done.stderr
    assert "replay done: 1 pass(es)" in done.stderr and "Traceback" not in done.stderr
    assert len(live_lines) > 1000
    assert [_split(line)[1] for line in replay_lines] == [_split(line)[1] for line in live_lines]
    shifts = {_tag(_split(b)[0]) - _tag(_split(a)[0])
              for a, b in zip(live_lines, replay_lines) if "/mirage/status" not in a}
    assert len(shifts) == 1, sorted(shifts)[:5]


def test_info_summarises_a_recording(offline_demo, capsys):
    assert cli.main(["replay", str(offline_demo), "--info"]) == 0
    out = capsys.readouterr().out
    _, records, _ = read_recording(offline_demo)
    counts = address_counts(records)
    assert counts["/Lfmsg_ch3"] == 2580 and counts["/Hfmsg_ch0"] == 60
    assert "format version 1, offline recording" in out
    assert "duration 29.954 s" in out and "tracks (4): 0=bass, 1=chords, 2=drums, 3=lead" in out
    assert "OSC profile readme, bundles; 44100 Hz, hop 512, n_fft 2048" in out
    lines = out.splitlines()
    ch0 = next(i for i, line in enumerate(lines) if "/Lfmsg_ch" in line)
    assert "/Lfmsg_ch0" in lines[ch0] and "2580  86.13 Hz" in lines[ch0]


def test_speed_and_start(offline_demo):
    """--start 27 --speed 4: the last 3 s of the demo in 0.75 s, every message from the
    first group at or after 27 s on, time tags 4 times closer together."""
    _, records, _ = read_recording(offline_demo)
    t_start = records[0].send_ns + 27 * 10**9
    expected = [a for r in records if r.send_ns >= t_start for a in addresses(r.datagram)]
    lines, done = replay_to_oscdump([str(offline_demo), "--start", "27", "--speed", "4"], len(expected))
    assert done.returncode == 0, done.stderr
    assert [_split(line)[1].split(" ")[0] for line in lines] == expected
    hop_tags = [_tag(_split(line)[0]) for line in lines if " /Lfmsg_ch0 " in line]
    np.testing.assert_allclose(np.diff(hop_tags) / NTP_S, 512 / 44100 / 4, atol=1e-6)


def test_loop_and_ctrl_c(tmp_path):
    """--loop until Ctrl-C: passes separated by /mirage/emotion/reset, a clean exit 0."""
    path = tmp_path / "r.mrec"
    written = write_small(path, 5)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as receiver:
        receiver.bind(("127.0.0.1", 0))
        receiver.settimeout(HANG_S)
        proc = subprocess.Popen([sys.executable, "-m", "mirage", "replay", str(path), "--loop", "--no-bundle",
                                 "-o", f"127.0.0.1:{receiver.getsockname()[1]}"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        got: list[bytes] = []
        try:
            while got.count(LOOP_MARKER) < 2:
                got.append(receiver.recv(65536))
        finally:
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=HANG_S)
    assert proc.returncode == 0, err
    assert "replay stopped" in err and "Traceback" not in err
    one_pass = [m for _, d in written for m in messages(d)]
    first = got.index(LOOP_MARKER)
    assert got[:first] == one_pass
    assert got[first + 1:first + 1 + len(one_pass)] == one_pass
    assert wait_for(lambda: proc.poll() is not None)
