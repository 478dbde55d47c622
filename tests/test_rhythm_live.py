"""The per-track rhythm layer live: the callback equals the offline analysis, and the wire.

* The engine's ``@cfunc``, called block by block as PortAudio calls it (several block sizes,
  the time budget off so hops are spread over calls), publishes in its feature records the
  same rhythm values as `kernels.analyzer.TrackAnalyzer` offline, and their mean novelty.
* ``mirage run --clock --rhythm`` sends ``/mirage/track/<n>/level``, ``/bands`` and
  ``/onset`` (oscdump, a real receiver); the onsets are those of ``mirage analyze
  --onsets-out`` and the level/bands its ``--out`` columns, the time tags those of the hops.
* On JACK's dummy driver (a real PortAudio device), a played file's rhythm as oscdump
  receives it is the offline rhythm.
* Without ``--rhythm`` the ``readme`` and ``mirage-code`` datagrams are byte for byte those
  of the feature encoders, and nothing else is sent but ``/mirage/status``.
"""

from __future__ import annotations

import csv
import socket
import subprocess
import sys
import threading

import numpy as np
import pytest
import soundfile as sf

from kernels.analyzer import TrackAnalyzer, analyze_tracks
from kernels.layout import N_FEATURES
from kernels.ring import ring_pop
from kernels.rhythm_layout import N_RHYTHM, RH_LEVEL, RH_NOVELTY, RH_ONSET
from mirage.engine.callback import engine_callback
from mirage.engine.callback_layout import HEADER_ROW, REC_MIX_NOVELTY, REC_RHYTHM0, TRACK_ROW0
from mirage.engine.graph import EngineGraph
from mirage.osc.hop_encoder import make_hop_encoder
from tests.engine_runs import run_engine
from tests.osc_receivers import HANG_S, OSCDUMP, OscDump, parse_oscdump_line, wait_for

SR_HZ = 48000
HOP, N_FFT = 512, 2048
CLICKS_S = (0.2, 0.45, 0.71, 1.0, 1.23)


def _song(seconds: float = 1.5) -> np.ndarray:
    """float32[N, 2]: clicks on track 0, a 100 Hz tone then noise on track 1."""
    n = int(seconds * SR_HZ)
    clicks = np.zeros(n, np.float32)
    for t in CLICKS_S:
        i = int(t * SR_HZ)
        clicks[i:i + 48] += 0.5 * np.hanning(48)
    t = np.arange(n) / SR_HZ
    rng = np.random.default_rng(5)
    other = np.where(t < 0.8, 0.3 * np.sin(2 * np.pi * 100 * t), 0.2 * rng.standard_normal(n))
    return np.stack([clicks, other], 1).astype(np.float32)


def _offline_rhythm(song: np.ndarray) -> np.ndarray:
    a = TrackAnalyzer(song.shape[1], SR_HZ, n_fft=N_FFT, hop=HOP, rhythm=True, max_block=len(song))
    a.process(song)
    return a.rhythm_out.copy()


@pytest.fixture(scope="module")
def song_file(tmp_path_factory):
    song = _song()
    path = tmp_path_factory.mktemp("rhythm") / "two.wav"
    sf.write(path, song, SR_HZ, subtype="FLOAT")
    return path, song


@pytest.mark.parametrize("blocksize", [64, 65, 512, 1000])
def test_the_callback_publishes_the_offline_rhythm_for_any_block_size(blocksize):
    song = _song()
    graph = EngineGraph(n_tracks=2, sr_hz=SR_HZ, n_fft=N_FFT, hop=HOP, pitch_ranges_hz=None,
                        channel_map=np.arange(2), playback=song, max_block=4096, output_gain=0.0,
                        work_fraction=0.0, rhythm=True)
    call = engine_callback().ctypes
    out = np.zeros((blocksize, 2), np.float32)
    records = []
    record = np.zeros(graph.feature_ring.data.shape[1:], np.float64)
    while not graph.finished:
        call(None, out.ctypes.data, blocksize, None, 0, graph.table.address)
        while ring_pop(graph.feature_ring.header, graph.feature_ring.data, record):
            records.append(record.copy())
    graph.close()
    records = np.array(records)
    expected = _offline_rhythm(song)
    live = records[:, TRACK_ROW0:, REC_RHYTHM0:REC_RHYTHM0 + N_RHYTHM].astype(np.float32)
    assert live.shape == expected.shape
    assert np.array_equal(live, expected)
    assert np.array_equal(records[:, TRACK_ROW0:, :N_FEATURES].astype(np.float32), analyze_tracks(song.T, SR_HZ))
    mean_novelty = expected[:, :, RH_NOVELTY].astype(np.float64).sum(axis=1) / 2
    assert np.allclose(records[:, HEADER_ROW, REC_MIX_NOVELTY], mean_novelty, rtol=1e-6, atol=0)
    assert np.count_nonzero(live[:, 0, RH_ONSET]) == len(CLICKS_S)


def test_without_rhythm_the_callback_leaves_the_rhythm_columns_zero():
    song = _song()[:SR_HZ // 2]
    graph = EngineGraph(n_tracks=2, sr_hz=SR_HZ, n_fft=N_FFT, hop=HOP, pitch_ranges_hz=None,
                        channel_map=np.arange(2), playback=song, max_block=4096, output_gain=0.0)
    call = engine_callback().ctypes
    out = np.zeros((HOP, 2), np.float32)
    record = np.zeros(graph.feature_ring.data.shape[1:], np.float64)
    seen = 0
    while not graph.finished:
        call(None, out.ctypes.data, HOP, None, 0, graph.table.address)
        while ring_pop(graph.feature_ring.header, graph.feature_ring.data, record):
            assert not np.any(record[TRACK_ROW0:, REC_RHYTHM0:]) and record[HEADER_ROW, REC_MIX_NOVELTY] == 0
            seen += 1
    graph.close()
    assert seen > 0


def _read_csv(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.skipif(OSCDUMP is None, reason="liblo's oscdump is not installed (apt-get install liblo-tools)")
def test_mirage_run_rhythm_reaches_oscdump_as_offline_analyze_computes_it(song_file, tmp_path):
    from mirage.osc.sender import OscSender

    path, song = song_file
    onsets_csv, features_csv = tmp_path / "on.csv", tmp_path / "f.csv"
    done = subprocess.run([sys.executable, "-m", "mirage", "analyze", str(path), "--onsets-out", str(onsets_csv),
                           "--out", str(features_csv)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    onsets = _read_csv(onsets_csv)
    rows = _read_csv(features_csv)
    n_hops = len(rows) // 2
    assert [int(r["track"]) for r in onsets].count(0) == len(CLICKS_S)

    dump = OscDump()
    try:
        with OscSender([f"127.0.0.1:{dump.port}"]) as probe:
            dump.wait_ready(probe)
        done = run_engine(["--input", str(path), "--clock", "--no-emotion", "--rhythm", "--blocksize", "256",
                           "-o", f"127.0.0.1:{dump.port}"])
        assert done.returncode == 0, done.stderr
        assert "rhythm out: /mirage/track/{n}/level, /bands, /onset (n = 0..1)" in done.stderr

        def lines():
            return [parse_oscdump_line(x) for x in list(dump.lines) if " /probe " not in x]
        assert wait_for(lambda: sum(a == "/mirage/track/1/bands" for _, a, _, _ in lines()) >= n_hops, HANG_S)
    finally:
        dump.stop()
    got = lines()
    by_address: dict[str, list] = {}
    for timetag, address, typetags, args in got:
        by_address.setdefault(address, []).append((timetag, typetags, args))
    feature_tags = [tag for tag, _, _ in by_address["/Lfmsg_ch0"]]
    for c in (0, 1):
        level = by_address[f"/mirage/track/{c}/level"]
        bands = by_address[f"/mirage/track/{c}/bands"]
        assert len(level) == len(bands) == n_hops
        assert {t for _, t, _ in level} == {"ff"} and {t for _, t, _ in bands} == {"fff"}
        assert [tag for tag, _, _ in level] == feature_tags == [tag for tag, _, _ in bands]  # the hop's time tag
        track_rows = [r for r in rows if int(r["track"]) == c]
        for (_, _, (lv, _db)), (_, _, (bass, mid, high)), r in zip(level, bands, track_rows):
            # oscdump prints floats with 6 decimals
            assert lv == pytest.approx(float(r["level"]), abs=1e-5)
            assert (bass, mid, high) == pytest.approx((float(r["bass"]), float(r["mid"]), float(r["high"])), abs=1e-5)
        sent = by_address.get(f"/mirage/track/{c}/onset", [])
        offline = [r for r in onsets if int(r["track"]) == c]
        assert len(sent) == len(offline)
        assert [args[0] for _, _, args in sent] == pytest.approx([float(r["strength"]) for r in offline], abs=1e-5)
        # each onset carries the time tag of the hop it was detected in: the hop ending at time_s
        hop_of = {round(float(r["time_s"]) * SR_HZ) for r in offline}
        tags_of_onset_hops = {feature_tags[(end - N_FFT) // HOP] for end in hop_of}
        assert {tag for tag, _, _ in sent} == tags_of_onset_hops


class _RawReceiver:
    """A UDP socket on a free port keeping every datagram's bytes."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)  # no loss to a loaded machine
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.datagrams: list[bytes] = []
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop:
            try:
                self.datagrams.append(self.sock.recv(65536))
            except socket.timeout:
                pass

    def close(self):
        self._stop = True
        self._thread.join()
        self.sock.close()


@pytest.mark.parametrize("profile", ["readme", "mirage-code"])
def test_without_rhythm_the_profiles_are_byte_for_byte_the_feature_encoders(song_file, profile):
    from mirage.profiles import track_pitch_ranges

    path, song = song_file
    ranges, names = track_pitch_ranges(["a", "b"], profile="voice")
    expected = analyze_tracks(song.T, SR_HZ, pitch_ranges_hz=ranges)
    encoder = make_hop_encoder(2, profile=profile, instrument_names=names)
    receiver = _RawReceiver()
    try:
        done = run_engine(["--input", str(path), "--clock", "--no-emotion", "--osc-profile", profile,
                           "--profile", "voice", "-o", f"127.0.0.1:{receiver.port}"])
        assert done.returncode == 0, done.stderr
        assert wait_for(lambda: len([d for d in receiver.datagrams if b"/mirage/status" not in d]) >= len(expected))
        features = [d for d in receiver.datagrams if b"/mirage/status" not in d]
    finally:
        receiver.close()
    assert len(features) == len(expected)
    assert not any(b"/mirage/track" in d for d in receiver.datagrams)
    for datagram, hop in zip(features, expected):
        (want,) = encoder.encode(hop, 1.7e9)  # the time tag (bytes 8..15) aside, the same bytes
        assert datagram[:8] == bytes(want[:8]) and datagram[16:] == bytes(want[16:])


def test_the_osc_writer_sends_the_rhythm_and_holds_each_onset_for_the_view():
    from mirage.osc.sender import OscSender
    from mirage.osc.track_rhythm_encoder import TrackRhythmEncoder
    from mirage.engine.osc_writer import OscWriter

    song = _song()
    graph = EngineGraph(n_tracks=2, sr_hz=SR_HZ, n_fft=N_FFT, hop=HOP, pitch_ranges_hz=None,
                        channel_map=np.arange(2), playback=song, max_block=4096, output_gain=0.0, rhythm=True)
    receiver = _RawReceiver()
    try:
        with OscSender([f"127.0.0.1:{receiver.port}"]) as sender:
            writer = OscWriter(graph, make_hop_encoder(2), sender, rhythm_encoder=TrackRhythmEncoder(2))
            assert writer.take_rhythm() is None  # before the first hop
            call = engine_callback().ctypes
            out = np.zeros((HOP, 2), np.float32)
            while not graph.finished:  # drained after every block, as the writer thread does
                call(None, out.ctypes.data, HOP, None, 0, graph.table.address)
                writer.drain()
            assert writer.onsets_sent == len(CLICKS_S) + np.count_nonzero(_offline_rhythm(song)[:, 1, RH_ONSET])
            first = writer.take_rhythm()
            again = writer.take_rhythm()
            assert wait_for(lambda: sum(b"/mirage/track/0/onset" in d for d in receiver.datagrams) == len(CLICKS_S))
    finally:
        receiver.close()
        graph.close()
    assert first.shape == (2, N_RHYTHM) and first[0, RH_ONSET] > 0  # an onset since the start, held
    assert again[0, RH_ONSET] == 0 and np.array_equal(again[:, :RH_ONSET], first[:, :RH_ONSET])


@pytest.mark.jack
@pytest.mark.skipif(OSCDUMP is None, reason="liblo's oscdump is not installed (apt-get install liblo-tools)")
def test_on_jack_the_rhythm_of_a_played_file_is_the_offline_rhythm(jack_server, song_file):
    """`mirage run --rhythm` on a real PortAudio device (JACK's dummy driver), heard by oscdump."""
    from mirage.osc.sender import OscSender

    path, song = song_file
    expected = _offline_rhythm(song)
    dump = OscDump()
    try:
        with OscSender([f"127.0.0.1:{dump.port}"]) as probe:
            dump.wait_ready(probe)
        done = run_engine(["--input", str(path), "--device", "system", "--no-emotion", "--rhythm",
                           "-o", f"127.0.0.1:{dump.port}"])
        assert done.returncode == 0, done.stderr

        def parsed():
            return [parse_oscdump_line(x) for x in list(dump.lines) if " /probe " not in x]
        assert wait_for(lambda: sum(a == "/mirage/track/1/bands" for _, a, _, _ in parsed()) >= len(expected), HANG_S)
    finally:
        dump.stop()
    got = parsed()
    for c in (0, 1):
        level = [args for _, a, _, args in got if a == f"/mirage/track/{c}/level"]
        onsets = [args[0] for _, a, _, args in got if a == f"/mirage/track/{c}/onset"]
        assert len(level) == len(expected)
        assert [lv for lv, _ in level] == pytest.approx(expected[:, c, RH_LEVEL].tolist(), abs=1e-5)
        want = expected[:, c, RH_ONSET]
        assert onsets == pytest.approx(want[want > 0].tolist(), abs=1e-5)
    assert sum(1 for _, a, _, _ in got if a == "/mirage/track/0/onset") == len(CLICKS_S)
