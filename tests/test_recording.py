"""The recording file (format, crash safety, errors), the live recorder and the offline render."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from mirage import cli
from mirage.osc.sender import OscSender
from mirage.recording.datagrams import addresses, bundle_time_tag, is_bundle
from mirage.recording.format import (
    FORMAT_VERSION, MAGIC, RecordingError, RecordingReader, RecordingWriter, check_new_recording, read_recording,
)
from mirage.recording.recorder import LiveRecorder
from tests.osc_receivers import free_udp_port
from tests.recordings import small_header, write_small


def test_round_trip(tmp_path):
    path = tmp_path / "r.mrec"
    written = write_small(path, 8)
    header, records, tail = read_recording(path)
    assert header == small_header().__class__(**{**small_header().__dict__, "created": header.created})
    assert header.tracks == ("a", "b") and header.version == FORMAT_VERSION and tail == 0
    assert [(r.send_ns, r.datagram) for r in records] == written
    for record in records:  # a bundle's record carries the bundle's own time tag
        if is_bundle(record.datagram):
            assert record.time_tag == bundle_time_tag(record.datagram)
    assert path.read_bytes().startswith(MAGIC)


def test_a_file_cut_at_any_byte_reads_up_to_its_last_whole_record(tmp_path):
    path = tmp_path / "r.mrec"
    write_small(path, 5)
    data = path.read_bytes()
    header_end = RecordingReader(path)._start
    whole = []  # byte offset where each record ends
    pos = header_end
    while pos < len(data):
        (length,) = struct.unpack_from("<I", data, pos)
        pos += 24 + length
        whole.append(pos)
    assert pos == len(data)
    full = read_recording(path)[1]
    cut = tmp_path / "cut.mrec"
    for n in range(len(data)):
        cut.write_bytes(data[:n])
        if n < header_end:
            with pytest.raises(RecordingError, match="empty|cut inside its header|not a MIRAGE"):
                read_recording(cut)
            continue
        _, records, tail = read_recording(cut)
        n_whole = sum(end <= n for end in whole)
        assert records == full[:n_whole], n
        assert tail == n - (whole[n_whole - 1] if n_whole else header_end)


def test_a_damaged_record_ends_the_reading_there(tmp_path):
    path = tmp_path / "r.mrec"
    write_small(path, 4)
    data = bytearray(path.read_bytes())
    header_end = RecordingReader(path)._start
    (length,) = struct.unpack_from("<I", data, header_end)
    data[header_end + 24 + length + 30] ^= 0xFF  # a byte of the second record's datagram
    path.write_bytes(bytes(data))
    _, records, tail = read_recording(path)
    assert len(records) == 1 and tail > 0


def _bad_files(tmp_path):
    good = tmp_path / "good.mrec"
    write_small(good, 2)
    data = good.read_bytes()
    newer = bytearray(data)
    newer[8:10] = struct.pack("<H", FORMAT_VERSION + 1)
    damaged = bytearray(data)
    damaged[20] ^= 0x55  # inside the JSON: the header's CRC catches it
    files = {
        "empty": (b"", "empty file"),
        "text": (b"time_s,arousal,valence\n0.5,0.1,0.2\n", "not a MIRAGE recording"),
        "newer": (bytes(newer), f"version {FORMAT_VERSION + 1} is newer"),
        "cut header": (data[:30], "cut inside its header"),
        "damaged header": (bytes(damaged), "damaged header"),
    }
    for name, (content, _) in files.items():
        (tmp_path / name.replace(" ", "_")).write_bytes(content)
    return {tmp_path / name.replace(" ", "_"): message for name, (_, message) in files.items()}


@pytest.mark.parametrize("info", [False, True])
def test_bad_files_are_one_line_and_exit_code_2(tmp_path, capsys, info):
    cases = _bad_files(tmp_path)
    cases[tmp_path / "missing.mrec"] = "no such file"
    cases[tmp_path] = "is a folder"
    for path, message in cases.items():
        code = cli.main(["replay", str(path), *(["--info"] if info else []), "-o", "127.0.0.1:9"])
        err = capsys.readouterr().err
        assert code == 2, path
        assert err.startswith("mirage: error: ") and err.count("\n") == 1, err
        assert message in err and "Traceback" not in err


def test_an_existing_recording_is_never_overwritten(tmp_path):
    path = tmp_path / "r.mrec"
    path.write_bytes(b"keep me")
    with pytest.raises(RecordingError, match="exists"):
        check_new_recording(path)
    with pytest.raises(RecordingError, match="exists"):
        RecordingWriter(small_header(), path)
    with pytest.raises(RecordingError, match="exists"):
        LiveRecorder(path, sr_hz=48000, hop=512, n_fft=2048, tracks=["x"], profile="readme", bundle=True)
    with pytest.raises(RecordingError, match="does not exist"):
        check_new_recording(tmp_path / "no" / "r.mrec")
    assert path.read_bytes() == b"keep me"


def test_analyze_record_into_a_missing_folder_is_one_line(tmp_path, capsys):
    assert cli.main(["analyze", "demo", "--record", str(tmp_path / "no" / "x.mrec")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mirage: error: --record") and err.count("\n") == 1


def test_the_sender_tee_records_copies_with_their_time_tags(tmp_path):
    """The hook the OSC writer drives: bundles keep their own tag, a plain message gets the
    capture time it was sent with, /mirage/status (no capture time) its wall-clock send time;
    the encoders' reused buffers are copied, not referenced."""
    from mirage.osc.hop_encoder import make_hop_encoder
    from mirage.osc.primitives import ntp_timetag
    from mirage.osc.status_encoder import encode_status

    path = tmp_path / "live.mrec"
    recorder = LiveRecorder(path, sr_hz=48000, hop=512, n_fft=2048, tracks=["x", "y"], profile="readme",
                            bundle=True)
    bundled, plain = make_hop_encoder(2), make_hop_encoder(2, bundle=False)
    sent = []
    with OscSender([f"127.0.0.1:{free_udp_port()}"]) as sender:
        sender.tee = recorder.tee
        for k in range(50):
            t = 1.8e9 + k * 0.01
            features = np.full((2, 8), k, np.float32)
            encoder = bundled if k % 2 else plain
            datagrams = encoder.encode(features, t)
            sent.append(([bytes(d) for d in datagrams], t, encoder is bundled))
            sender.send(datagrams, t)
        sender.send([encode_status((1, 2, 3, 4, 5), "running")])
    recorder.close()
    header, records, tail = read_recording(path)
    assert header.source == "live" and tail == 0 and recorder.dropped == 0
    expected = [(d, ntp_timetag(t)) for datagrams, t, _ in sent for d in datagrams]
    assert [(r.datagram, r.time_tag) for r in records[:-1]] == expected
    status = records[-1]
    assert addresses(status.datagram) == ["/mirage/status"]
    wall_s = (header.t0_unix_ns + status.send_ns) * 1e-9
    assert abs(status.time_tag / 2**32 - 2208988800 - wall_s) < 1e-3
    sends = [r.send_ns for r in records]
    assert sends == sorted(sends) and sends[0] >= 0


def test_offline_render_is_the_live_stream(live_demo, offline_demo):
    """`mirage analyze demo --record` == `mirage run --input demo --clock --record` for the
    seconds the live run lasted: every hop's bundle byte for byte but its time tag, every
    mood step byte for byte but its time tag (same features, model and steps), and the time
    tags on the same clock: the mood's, `t_sample0 + time_s` in both, exactly (to float
    rounding); a hop's, the capture time of its last sample, which the live engine takes from
    its callback's start — offline it is exact, live it carries the clock driver's jitter."""
    import json

    live_path, _ = live_demo
    _, live, _ = read_recording(live_path)
    stats = json.loads(live_path.with_suffix(".json").read_text())  # in the messages: what went wrong live
    run = {k: stats[k] for k in ("dropped_frames", "emotion_restarts", "hops_sent", "emotion_sent", "record")}
    _, offline, _ = read_recording(offline_demo)

    def split(records):
        hops = [r for r in records if addresses(r.datagram)[0].startswith("/Lfmsg")]
        mood = [r for r in records if addresses(r.datagram)[0].startswith("/Hfmsg")]
        return hops, mood

    live_hops, live_mood = split(live)
    off_hops, off_mood = split(offline)
    assert len(live_hops) > 200 and len(live_mood) >= 4
    assert [r.datagram[16:] for r in live_hops] == [r.datagram[16:] for r in off_hops[:len(live_hops)]], run
    assert [r.datagram[16:] for r in live_mood] == [r.datagram[16:] for r in off_mood[:len(live_mood)]], run

    def relative_s(records, origin):
        return np.array([(bundle_time_tag(r.datagram) - origin) / 2**32 for r in records])

    live_origin, off_origin = bundle_time_tag(live_mood[0].datagram), bundle_time_tag(off_mood[0].datagram)
    np.testing.assert_allclose(relative_s(live_mood, live_origin), relative_s(off_mood[:len(live_mood)], off_origin),
                               atol=2e-6)
    hop_error_s = relative_s(live_hops, live_origin) - relative_s(off_hops[:len(live_hops)], off_origin)
    assert np.all(np.abs(hop_error_s) < 0.5), hop_error_s  # callback jitter, bounded only against a hang
    # offline, hop k is captured at (k·hop + n_fft − 1)/sr: one hop apart
    off_s = relative_s(off_hops, bundle_time_tag(off_hops[0].datagram))
    np.testing.assert_allclose(np.diff(off_s), 512 / 44100, atol=1e-6)  # NTP tags of doubles: 0.5 µs steps
