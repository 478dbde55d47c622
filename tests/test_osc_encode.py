"""Golden tests: our OSC bytes are python-osc's bytes, for both wire profiles.

The reference (`_reference_datagrams`) builds every message with python-osc's
``OscMessageBuilder`` and packs them with ``OscBundleBuilder`` using the documented greedy
rule (in track order, as many messages per bundle as fit under the datagram limit).
"""

import math
import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from pythonosc.osc_bundle import OscBundle
from pythonosc.osc_bundle_builder import OscBundleBuilder
from pythonosc.osc_message import OscMessage
from pythonosc.osc_message_builder import OscMessageBuilder
from pythonosc.parsing import osc_types

from kernels.layout import N_FEATURES
from mirage.errors import ParameterError
from mirage.osc.addresses import DEFAULT_MAX_DATAGRAM_BYTES, STATUS_ADDRESS
from mirage.osc.emotion_encoder import EmotionEncoder
from mirage.osc.hop_encoder import MirageCodeHopEncoder, ReadmeHopEncoder, make_hop_encoder
from mirage.osc.primitives import ntp_timetag, osc_int32, osc_string
from mirage.osc.status_encoder import encode_status

CAPTURE_TIME_S = 1_754_000_000.123456
NAMES = ("DEFAULT", "VOICE", "GUITAR", "PIANO", "STRINGS", "DRUMS", "LIBROSA", "X")


def _names(n_tracks):
    return [NAMES[n % len(NAMES)] for n in range(n_tracks)]


def _reference_message(profile, track, row, name):
    row = [float(v) for v in row]
    if profile == "readme":
        builder = OscMessageBuilder(f"/Lfmsg_ch{track}")
        for value in row:
            builder.add_arg(value, "f")
        return builder.build()
    builder = OscMessageBuilder(f"/LFmsg_ch{track}")
    builder.add_arg(name, "s")
    centroid, bandwidth, flatness, rolloff = row[:4]
    for value in (float(round(centroid)), float(round(bandwidth)), flatness, float(round(rolloff))):
        builder.add_arg(value, "f")
    for pitch in row[4:]:
        if pitch != 0.0:
            builder.add_arg(float(round(pitch)), "f")
    return builder.build()


def _reference_datagrams(messages, capture_time_s, bundle, max_datagram_bytes):
    if not bundle:
        return [m.dgram for m in messages]
    groups, current, size = [], [], 16
    for message in messages:
        if current and size + 4 + message.size > max_datagram_bytes:
            groups.append(current)
            current, size = [], 16
        current.append(message)
        size += 4 + message.size
    groups.append(current)
    datagrams = []
    for group in groups:
        builder = OscBundleBuilder(capture_time_s)
        for message in group:
            builder.add_content(message)
        datagrams.append(builder.build().dgram)
    return datagrams


def _reference(profile, features, capture_time_s, bundle, max_datagram_bytes, names):
    messages = [
        _reference_message(profile, n, features[n], names[n]) for n in range(features.shape[0])
    ]
    return _reference_datagrams(messages, capture_time_s, bundle, max_datagram_bytes)


def _encoder(profile, n_tracks, bundle, max_datagram_bytes=DEFAULT_MAX_DATAGRAM_BYTES):
    return make_hop_encoder(
        n_tracks,
        profile=profile,
        instrument_names=_names(n_tracks),
        bundle=bundle,
        max_datagram_bytes=max_datagram_bytes,
    )


def _features(n_tracks, seed):
    """Plausible features with every pitch count 0..4 and a few edge values."""
    rng = np.random.default_rng(seed)
    f = np.empty((n_tracks, N_FEATURES), dtype=np.float32)
    f[:, 0] = rng.uniform(0, 8000, n_tracks)
    f[:, 1] = rng.uniform(0, 4000, n_tracks)
    f[:, 2] = rng.uniform(0, 1, n_tracks)
    f[:, 3] = rng.uniform(0, 20000, n_tracks)
    f[:, 4:] = rng.uniform(20, 8000, (n_tracks, 4))
    for n in range(n_tracks):
        f[n, 4 + n % 5 :] = 0.0  # track n has n % 5 pitches
    f[0, :4] = (0.0, 0.0, 1.0, 0.0)  # silence
    if n_tracks > 1:
        f[1, :4] = (2.5, 3.5, 1e-30, 0.5)  # halves round to even; tiny flatness
    if n_tracks > 2:
        f[2, :4] = (-0.4, 3.0e38, 1.17e-38, 16777215.0)  # -0.0 after rounding; huge; subnormal-ish
    return f


def _sizes_ok(datagrams, bundle, max_datagram_bytes):
    return all(len(d) <= max_datagram_bytes for d in datagrams) if bundle else True


@pytest.mark.parametrize("profile", ["readme", "mirage-code"])
@pytest.mark.parametrize("bundle", [True, False])
@pytest.mark.parametrize("n_tracks", [1, 8, 24, 64])
def test_hop_bytes_equal_python_osc(profile, bundle, n_tracks):
    encoder = _encoder(profile, n_tracks, bundle)
    for seed in range(3):  # several hops through the same encoder: no stale bytes
        features = _features(n_tracks, seed)
        capture_time_s = CAPTURE_TIME_S + seed * 0.0107
        ours = [bytes(d) for d in encoder.encode(features, capture_time_s)]
        expected = _reference(profile, features, capture_time_s, bundle,
                              DEFAULT_MAX_DATAGRAM_BYTES, _names(n_tracks))
        assert ours == expected
        assert _sizes_ok(ours, bundle, DEFAULT_MAX_DATAGRAM_BYTES)


@pytest.mark.parametrize("profile", ["readme", "mirage-code"])
@pytest.mark.parametrize("max_datagram_bytes", [100, 128, 200, 333, 512, 1000, 1472, 9000, 65507])
def test_bundles_split_under_the_limit(profile, max_datagram_bytes):
    n_tracks = 64
    encoder = _encoder(profile, n_tracks, True, max_datagram_bytes)
    features = _features(n_tracks, 7)
    ours = [bytes(d) for d in encoder.encode(features, CAPTURE_TIME_S)]
    expected = _reference(profile, features, CAPTURE_TIME_S, True, max_datagram_bytes, _names(n_tracks))
    assert ours == expected
    assert all(len(d) <= max_datagram_bytes for d in ours)
    if max_datagram_bytes >= 9000:
        assert len(ours) == 1
    # Every bundle carries the hop's capture time, and all tracks arrive once, in order.
    addresses = []
    for d in ours:
        parsed = OscBundle(d)
        assert d[8:16] == osc_types.write_date(CAPTURE_TIME_S)
        addresses += [m.address for m in parsed]
    prefix = "/Lfmsg_ch" if profile == "readme" else "/LFmsg_ch"
    assert addresses == [f"{prefix}{n}" for n in range(n_tracks)]


@pytest.mark.parametrize("profile", ["readme", "mirage-code"])
def test_one_message_too_large_is_a_parameter_error(profile):
    # readme: 12 (address) + 12 (,ffffffff) + 32 = 56 bytes, a bundle of one 76;
    # mirage-code with "DEFAULT" and 4 pitches: 12 + 12 (,sffffffff) + 8 + 32 = 64, bundled 84.
    largest = 56 if profile == "readme" else 64
    _encoder(profile, 3, False, largest)
    _encoder(profile, 3, True, largest + 20)
    with pytest.raises(ParameterError, match=str(largest - 1)):
        _encoder(profile, 3, False, largest - 1)
    with pytest.raises(ParameterError, match=str(largest + 19)):
        _encoder(profile, 3, True, largest + 19)


@pytest.mark.parametrize("profile", ["readme", "mirage-code"])
@pytest.mark.parametrize("bundle", [True, False])
def test_parsed_back_by_python_osc(profile, bundle):
    n_tracks = 8
    features = _features(n_tracks, 3)
    datagrams = [bytes(d) for d in _encoder(profile, n_tracks, bundle).encode(features, CAPTURE_TIME_S)]
    if bundle:
        assert len(datagrams) == 1
        parsed = OscBundle(datagrams[0])
        assert parsed.timestamp == pytest.approx(CAPTURE_TIME_S, abs=1e-6)
        messages = list(parsed)
    else:
        messages = [OscMessage(d) for d in datagrams]
    assert len(messages) == n_tracks
    for n, message in enumerate(messages):
        row = features[n].astype(np.float64)
        if profile == "readme":
            assert message.address == f"/Lfmsg_ch{n}"
            assert message.params == list(row)
        else:
            assert message.address == f"/LFmsg_ch{n}"
            pitches = [round(p) for p in row[4:] if p != 0.0]
            assert len(pitches) == n % 5
            expected = [_names(n_tracks)[n], round(row[0]), round(row[1]), row[2], round(row[3]), *pitches]
            assert message.params == expected


finite_f32 = st.floats(width=32, allow_nan=False, allow_infinity=False)


@settings(derandomize=True, max_examples=60, deadline=None)
@given(
    features=arrays(np.float32, (5, N_FEATURES), elements=finite_f32),
    zero_mask=arrays(np.bool_, (5, 4)),
    capture_time_s=st.floats(min_value=-2_208_988_800.0, max_value=2_085_978_495.0),
    max_datagram_bytes=st.integers(min_value=100, max_value=400),
    bundle=st.booleans(),
)
def test_random_hops_equal_python_osc(features, zero_mask, capture_time_s, max_datagram_bytes, bundle):
    features[:, 4:][zero_mask] = 0.0
    for profile in ("readme", "mirage-code"):
        encoder = _encoder(profile, 5, bundle, max_datagram_bytes)
        ours = [bytes(d) for d in encoder.encode(features, capture_time_s)]
        assert ours == _reference(profile, features, capture_time_s, bundle, max_datagram_bytes, _names(5))


@settings(derandomize=True, max_examples=200, deadline=None)
@given(capture_time_s=st.floats(min_value=-2_208_988_800.0, max_value=2_085_978_495.0))
def test_ntp_timetag_matches_python_osc(capture_time_s):
    assert struct.pack(">Q", ntp_timetag(capture_time_s)) == osc_types.write_date(capture_time_s)


def test_ntp_timetag_edges():
    assert struct.pack(">Q", ntp_timetag(0.0)) == osc_types.write_date(0.0)  # IMMEDIATELY
    assert ntp_timetag(0.0) == 1
    assert ntp_timetag(1.0) == (2_208_988_800 + 1) << 32
    assert ntp_timetag(-2_208_988_800.0) == 0
    for bad in (math.nan, math.inf, -3e9, 2.1e9):
        with pytest.raises(ParameterError):
            ntp_timetag(bad)


@pytest.mark.parametrize("profile", ["readme", "mirage-code"])
@pytest.mark.parametrize("bundle", [True, False])
@pytest.mark.parametrize("arousal, valence", [(0.25, -0.75), (-1.0, 1.0), (0.0, -0.0), (0.123456789, -1e-8)])
def test_emotion_bytes_equal_python_osc(profile, bundle, arousal, valence):
    builder = OscMessageBuilder("/Hfmsg_ch0" if profile == "readme" else "/HFmsg_ch0")
    builder.add_arg(arousal, "f")
    builder.add_arg(valence, "f")
    message = builder.build()
    expected = _reference_datagrams([message], CAPTURE_TIME_S, bundle, DEFAULT_MAX_DATAGRAM_BYTES)[0]
    encoder = EmotionEncoder(profile, bundle=bundle)
    assert bytes(encoder.encode(arousal, valence, CAPTURE_TIME_S)) == expected


def test_osc_string_padding():
    assert osc_string("") == b"\x00" * 4
    assert osc_string("abc") == b"abc\x00"
    assert osc_string("abcd") == b"abcd\x00\x00\x00\x00"
    with pytest.raises(ParameterError):
        osc_string("a\x00b")


def test_default_instrument_name_and_factory():
    encoder = make_hop_encoder(2, profile="mirage-code")
    assert isinstance(encoder, MirageCodeHopEncoder)
    assert encoder.instrument_names == ("LIBROSA", "LIBROSA")
    assert isinstance(make_hop_encoder(2), ReadmeHopEncoder)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n_tracks": 0},
        {"n_tracks": 2.0},
        {"n_tracks": 2, "profile": "Readme"},
        {"n_tracks": 2, "profile": "mirage-code", "instrument_names": ["VOICE"]},
        {"n_tracks": 1, "profile": "mirage-code", "instrument_names": "VOICE"},
        {"n_tracks": 1, "profile": "mirage-code", "instrument_names": [""]},
        {"n_tracks": 1, "max_datagram_bytes": 70000},
        {"n_tracks": 1, "max_datagram_bytes": 1472.0},
    ],
)
def test_bad_configuration_is_a_parameter_error(kwargs):
    with pytest.raises(ParameterError):
        make_hop_encoder(**kwargs)


@pytest.mark.parametrize("profile", ["readme", "mirage-code"])
def test_bad_features_are_a_parameter_error(profile):
    encoder = _encoder(profile, 3, True)
    for bad in (np.zeros((2, 8), np.float32), np.zeros((3, 8), np.float64), np.zeros((3, 7), np.float32)):
        with pytest.raises(ParameterError, match="shape"):
            encoder.encode(bad, CAPTURE_TIME_S)
    # A non-contiguous but well-shaped array is accepted.
    wide = np.zeros((3, 16), np.float32)
    features = wide[:, ::2]
    assert encoder.encode(features, CAPTURE_TIME_S)


# ---------------------------------------------------------------------- /mirage/status


def _reference_status(counters, device_state):
    """python-osc's bytes for the status message, as the OSC writer used to build it."""
    builder = OscMessageBuilder(STATUS_ADDRESS)
    for value in counters:
        builder.add_arg(int(value), "i")
    builder.add_arg(device_state, "s")
    return builder.build().dgram


@pytest.mark.parametrize("device_state", ["running", "lost", "", "abc", "abcd"])
@pytest.mark.parametrize("counters", [(0, 0, 0, 0, 0), (1, 22, 333, 4444, 55555),
                                      (2**31 - 1, 0, 7, -1, -(2**31)), (np.int64(3), 0, 0, 0, 1)])
def test_status_bytes_equal_python_osc(counters, device_state):
    assert encode_status(counters, device_state) == _reference_status(counters, device_state)


def test_status_parsed_back_by_python_osc():
    message = OscMessage(encode_status((3, 2, 1, 0, 9), "lost"))
    assert message.address == STATUS_ADDRESS
    assert list(message.params) == [3, 2, 1, 0, 9, "lost"]


def test_bad_status_is_a_parameter_error():
    for counters in ((0, 0, 0, 0), (0, 0, 0, 0, 0, 0), (2**31, 0, 0, 0, 0), (None, 0, 0, 0, 0)):
        with pytest.raises(ParameterError):
            encode_status(counters, "running")
    with pytest.raises(ParameterError):
        encode_status((0, 0, 0, 0, 0), "lo\x00st")


def test_osc_int32():
    assert osc_int32(1) == b"\x00\x00\x00\x01"
    assert osc_int32(-1) == b"\xff\xff\xff\xff"
    assert osc_int32(np.int32(-(2**31))) == b"\x80\x00\x00\x00"
