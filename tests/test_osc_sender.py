"""The UDP sender against real receivers: python-osc's server and liblo's oscdump."""

import errno
import time

import numpy as np
import pytest

from mirage.errors import ParameterError
from mirage.osc.emotion_encoder import EmotionEncoder
from mirage.osc.hop_encoder import make_hop_encoder
from mirage.osc.primitives import ntp_timetag
from mirage.osc.sender import DEFAULT_TARGET, OscSender, parse_target

from tests.osc_receivers import OSCDUMP, OscDump as _OscDump, PythonOscReceiver
from tests.osc_receivers import free_udp_port as _free_udp_port
from tests.osc_receivers import parse_oscdump_line as _parse_oscdump_line
from tests.osc_receivers import wait_for


def _features(n_tracks):
    """Exactly representable values, so text output compares exactly; pitch counts 4, 1, 0."""
    f = np.arange(n_tracks * 8, dtype=np.float32).reshape(n_tracks, 8) * 1.5 + 100.25
    f[1, 5:] = 0.0
    f[2, 4:] = 0.0
    return f


def _expected_args(profile, row, name="LIBROSA"):
    row = [float(v) for v in row]
    if profile == "readme":
        return row
    return [name, float(round(row[0])), float(round(row[1])), row[2], float(round(row[3]))] + [
        float(round(p)) for p in row[4:] if p != 0.0
    ]


@pytest.fixture
def osc_server():
    """A python-osc server on a free port collecting (address, args) from every message."""
    with PythonOscReceiver() as receiver:
        yield receiver.port, receiver.received


# ---------------------------------------------------------------------- target parsing


@pytest.mark.parametrize(
    "text, expected",
    [
        ("127.0.0.1:12345", ("127.0.0.1", 12345)),
        ("localhost:9000", ("localhost", 9000)),
        ("visuals-pc.local:1", ("visuals-pc.local", 1)),
        ("[::1]:65535", ("::1", 65535)),
    ],
)
def test_parse_target(text, expected):
    assert parse_target(text) == expected


@pytest.mark.parametrize(
    "text", ["127.0.0.1", "127.0.0.1:", ":12345", "host:0", "host:65536", "host:12x", "bad host:1",
             "::1:9000", "[::1]9000", "[nope]:9000", "-x-:9000", "a..b:9000"]
)
def test_bad_target_is_a_parameter_error_naming_it(text):
    with pytest.raises(ParameterError, match=repr(text).replace("[", r"\[").replace(".", r"\.")):
        OscSender([text])


def test_default_target():
    assert DEFAULT_TARGET == "127.0.0.1:12345"
    with pytest.raises(ParameterError):
        OscSender([])


# ---------------------------------------------------------------------- python-osc server


@pytest.mark.parametrize("profile", ["readme", "mirage-code"])
@pytest.mark.parametrize("bundle", [True, False])
def test_python_osc_server_receives_the_values(osc_server, profile, bundle):
    port, received = osc_server
    features = _features(3)
    encoder = make_hop_encoder(3, profile=profile, bundle=bundle)
    emotion = EmotionEncoder(profile, bundle=bundle)
    with OscSender([f"127.0.0.1:{port}"]) as sender:
        before_ns = time.perf_counter_ns()
        assert sender.send(encoder.encode(features, time.time())) == (1 if bundle else 3)
        assert sender.send([emotion.encode(0.5, -0.75, time.time())]) == 1
        assert before_ns < sender.last_send_ns <= time.perf_counter_ns()
        assert sender.stats[0].errors == 0
    assert wait_for(lambda: len(received) == 4)
    prefix = "/Lfmsg_ch" if profile == "readme" else "/LFmsg_ch"
    assert received[:3] == [(f"{prefix}{n}", _expected_args(profile, features[n])) for n in range(3)]
    assert received[3] == ("/Hfmsg_ch0" if profile == "readme" else "/HFmsg_ch0", [0.5, -0.75])


def test_several_targets_and_a_refusing_one(osc_server):
    port, received = osc_server
    dead_port = _free_udp_port()
    encoder = make_hop_encoder(3)
    sender = OscSender([f"127.0.0.1:{port}", f"localhost:{dead_port}"])
    alive, dead = sender.stats
    sends = 0

    def refused():  # the ICMP port-unreachable fails a *later* send, whenever it is back
        nonlocal sends
        sender.send(encoder.encode(_features(3), time.time()))
        sends += 1
        return sends >= 10 and dead.errors >= 1

    assert wait_for(refused)
    assert alive.datagrams_sent == sends and alive.errors == 0
    assert dead.errors >= 1 and dead.last_error == "ECONNREFUSED"
    assert dead.datagrams_sent + dead.errors == sends
    assert sender.errors == dead.errors
    assert wait_for(lambda: len(received) == 3 * sends)
    sender.close()


# ---------------------------------------------------------------------- failures never raise


def test_refused_destination_is_counted_not_raised():
    sender = OscSender([f"127.0.0.1:{_free_udp_port()}"])
    datagram = [EmotionEncoder().encode(0.0, 0.0, time.time())]
    # the ICMP port-unreachable fails a *later* send: send until it has (or a hang)
    assert wait_for(lambda: sender.send(datagram) == 0 and sender.stats[0].errors >= 1)
    assert sender.stats[0].last_error == "ECONNREFUSED"


def test_unresolvable_host_is_counted_not_raised():
    sender = OscSender(["no-such-host.invalid:9000"])
    assert sender.send([b"/x\x00\x00,\x00\x00\x00"] * 3) == 0
    assert sender.stats[0].errors == 3
    assert sender.stats[0].last_error == "EUNRESOLVED"
    assert sender.last_send_ns == 0


def test_unreachable_destination_is_counted_not_raised():
    # Broadcast without SO_BROADCAST: the kernel refuses every datagram with EACCES.
    sender = OscSender(["255.255.255.255:9"])
    assert sender.send([b"/x\x00\x00,\x00\x00\x00"] * 2) == 0
    assert sender.stats[0].errors >= 2
    assert sender.stats[0].last_error == "EACCES"


class _FullSocket:
    """A socket whose send buffer is always full / out of buffers."""

    def __init__(self, error_number):
        self.error_number = error_number

    def send(self, datagram):
        raise OSError(self.error_number, "simulated")

    def close(self):
        pass


@pytest.mark.parametrize("error_number", [errno.EAGAIN, errno.ENOBUFS, errno.EMSGSIZE])
def test_full_send_buffer_is_counted_not_raised(error_number):
    sender = OscSender()
    sender._targets[0].sock = _FullSocket(error_number)
    assert sender.send([b"a", b"b"]) == 0
    assert sender.stats[0].errors == 2
    assert sender.stats[0].last_error == errno.errorcode[error_number]


def test_closed_sender_counts_instead_of_raising():
    sender = OscSender()
    sender.close()
    assert sender.send([b"a"]) == 0
    assert sender.errors == 1


# ---------------------------------------------------------------------- liblo's oscdump


@pytest.mark.skipif(OSCDUMP is None, reason="liblo-tools (oscdump) not installed")
@pytest.mark.parametrize("profile", ["readme", "mirage-code"])
@pytest.mark.parametrize("bundle", [True, False])
def test_oscdump_receives_addresses_typetags_and_values(profile, bundle):
    n_tracks = 3
    features = _features(n_tracks)
    names = ["VOICE", "GUITAR", "DRUMS"]
    encoder = make_hop_encoder(n_tracks, profile=profile, bundle=bundle, instrument_names=names)
    capture_time_s = time.time() - 0.5
    dump = _OscDump()
    try:
        sender = OscSender([f"127.0.0.1:{dump.port}"])
        dump.wait_ready(sender)  # probes sent before oscdump listened were refused
        n_before, errors_before = len(dump.lines), sender.errors
        sender.send(encoder.encode(features, capture_time_s))
        sender.send([EmotionEncoder(profile, bundle=bundle).encode(-0.5, 0.25, capture_time_s)])
        assert wait_for(lambda: len(dump.lines) >= n_before + n_tracks + 1)
        assert sender.errors == errors_before
    finally:
        dump.stop()
    parsed = [_parse_oscdump_line(line) for line in dump.lines[n_before:]]
    assert len(parsed) == n_tracks + 1
    tag = ntp_timetag(capture_time_s)
    bundle_timetag = f"{tag >> 32:08x}.{tag & 0xFFFFFFFF:08x}"
    for n, (timetag, address, typetags, args) in enumerate(parsed[:n_tracks]):
        expected = _expected_args(profile, features[n], names[n])
        if profile == "readme":
            assert (address, typetags) == (f"/Lfmsg_ch{n}", "ffffffff")
        else:
            assert (address, typetags) == (f"/LFmsg_ch{n}", "s" + "f" * (len(expected) - 1))
        # oscdump prints floats with 6 decimals; our values are exact in binary.
        assert args == expected
        assert (timetag == bundle_timetag) is bundle
    timetag, address, typetags, args = parsed[n_tracks]
    assert address == ("/Hfmsg_ch0" if profile == "readme" else "/HFmsg_ch0")
    assert (typetags, args) == ("ff", [-0.5, 0.25])
    assert [len(a) for *_, a in parsed[:n_tracks]] == (
        [8, 8, 8] if profile == "readme" else [9, 6, 5]
    )
