"""The wire contract (mirage.osc.addresses) and what the encoders say they send."""

import numpy as np
import pytest
from pythonosc.osc_packet import OscPacket

from kernels.layout import FEATURE_NAMES, N_FEATURES
from mirage.osc.addresses import (
    EMOTION_ARGUMENTS,
    FEATURE_ARGUMENTS,
    STATUS_ARGUMENTS,
    address_range,
    argument_names,
)
from mirage.osc.emotion_encoder import EmotionEncoder
from mirage.osc.hop_encoder import make_hop_encoder


def test_feature_argument_names_follow_the_kernels_layout():
    assert FEATURE_ARGUMENTS["readme"] == tuple(name.removesuffix("_hz") for name in FEATURE_NAMES)
    assert FEATURE_ARGUMENTS["mirage-code"] == ("instrument", *FEATURE_ARGUMENTS["readme"])


@pytest.mark.parametrize("address, names", [
    ("/Lfmsg_ch0", FEATURE_ARGUMENTS["readme"]),
    ("/Lfmsg_ch15", FEATURE_ARGUMENTS["readme"]),
    ("/LFmsg_ch3", FEATURE_ARGUMENTS["mirage-code"]),
    ("/Hfmsg_ch0", EMOTION_ARGUMENTS),
    ("/HFmsg_ch0", EMOTION_ARGUMENTS),
    ("/mirage/status", STATUS_ARGUMENTS),
    ("/Lfmsg_ch", None),
    ("/Lfmsg_ch1x", None),
    ("/Hfmsg_ch1", None),
    ("/lfmsg_ch0", None),
])
def test_argument_names(address, names):
    assert argument_names(address) == names


def test_address_range():
    assert address_range("/Lfmsg_ch{}", 1) == "/Lfmsg_ch0"
    assert address_range("/Lfmsg_ch{}", 6) == "/Lfmsg_ch0..5"


@pytest.mark.parametrize("profile", ["readme", "mirage-code"])
def test_encoders_describe_what_they_encode(profile):
    """The addresses an encoder names are the ones in the bytes it produces."""
    hop = make_hop_encoder(6, profile=profile, bundle=False)
    features = np.ones((6, N_FEATURES), np.float32)
    sent = [OscPacket(bytes(d)).messages[0].message for d in hop.encode(features, 1.0)]
    assert [m.address for m in sent] == [hop.address(n) for n in range(6)]
    emotion = EmotionEncoder(profile, bundle=False)
    (message,) = [t.message for t in OscPacket(bytes(emotion.encode(0.1, 0.2, 1.0))).messages]
    if profile == "readme":
        assert hop.describe() == "/Lfmsg_ch0..5 (8 floats)"
        assert len(sent[0].params) == 8
        assert emotion.describe() == "/Hfmsg_ch0 (2 floats)"
    else:
        assert hop.describe() == "/LFmsg_ch0..5 (name + 4 floats + 0–4 pitches)"
        assert len(sent[0].params) == 1 + 4 + 4  # name, 4 floats, the 4 nonzero pitches
        assert emotion.describe() == "/HFmsg_ch0 (2 floats)"
    assert emotion.describe().startswith(message.address + " ")
    assert len(message.params) == 2
