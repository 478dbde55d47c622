"""`mirage view`'s library without a browser: OSC -> decoded -> state -> JSON, and the throttle.

The datagrams are made by the engine's own encoders (both profiles, bundles and plain
messages), so the viewer is held to what MIRAGE really sends. Time is passed in, never read
from a clock: nothing here depends on the machine's speed.
"""

import json

import numpy as np
import pytest
from pythonosc.osc_message_builder import OscMessageBuilder

from mirage.osc.emotion_encoder import EmotionEncoder
from mirage.osc.hop_encoder import make_hop_encoder
from mirage.osc.status_encoder import encode_status
from mirage.view.decode import DecodeError, Mood, Status, TrackFeatures, decode
from mirage.view.notes import pitch_label
from mirage.view.osc_listener import feed_datagram
from mirage.view.state import MAX_PUSH_HZ, Throttle, ViewState

FEATURES = np.array([
    (440.0, 120.5, 0.25, 900.0, 440.0, 220.0, 0.0, 0.0),
    (1000.0, 50.0, 0.5, 3000.0, 0.0, 0.0, 0.0, 0.0),
], np.float32)


def _message(address, *args):
    builder = OscMessageBuilder(address)
    for arg in args:
        builder.add_arg(arg)
    return builder.build().dgram


def _fed(*datagrams) -> ViewState:
    state = ViewState()
    for i, datagram in enumerate(datagrams):
        feed_datagram(state, bytes(datagram), now_s=1000.0 + i)
    return state


@pytest.mark.parametrize("bundle", [True, False])
def test_readme_profile_hops_become_tracks_with_their_pitches_and_notes(bundle):
    state = _fed(*make_hop_encoder(2, bundle=bundle).encode(FEATURES, 0.0))
    (message,) = state.drain()
    assert message["type"] == "tracks"
    t0, t1 = message["tracks"]
    assert t0 == {"n": 0, "address": "/Lfmsg_ch0", "osc_profile": "readme", "instrument": None,
                  "centroid_hz": 440.0, "bandwidth_hz": 120.5, "flatness": 0.25, "rolloff_hz": 900.0,
                  "pitches_hz": [440.0, 220.0], "notes": ["A4 +0c", "A3 +0c"], "count": 1}
    assert t1["n"] == 1 and t1["pitches_hz"] == [] and t1["notes"] == []
    assert state.messages == 2 and state.unknown == 0 and state.malformed == 0


def test_mirage_code_profile_carries_the_instrument_and_0_to_4_pitches():
    encoder = make_hop_encoder(2, profile="mirage-code", instrument_names=["VOICE", "DRUMS"])
    (message,) = _fed(*encoder.encode(FEATURES, 0.0)).drain()
    t0, t1 = message["tracks"]
    assert (t0["address"], t0["osc_profile"], t0["instrument"]) == ("/LFmsg_ch0", "mirage-code", "VOICE")
    assert t0["pitches_hz"] == [440.0, 220.0] and t0["bandwidth_hz"] == 120.0  # rounded half to even
    assert (t1["instrument"], t1["pitches_hz"]) == ("DRUMS", [])


@pytest.mark.parametrize("profile", ["readme", "mirage-code"])
def test_the_mood_of_both_profiles_and_its_trail(profile):
    encoder = EmotionEncoder(profile)
    state = _fed(*[bytes(encoder.encode(0.1 * i, -0.1 * i, 0.0)) for i in range(4)])  # copies: one buffer
    (mood,) = state.drain()
    assert mood["type"] == "mood" and mood["count"] == 4
    assert (mood["arousal"], mood["valence"]) == pytest.approx((0.3, -0.3))
    assert np.allclose(mood["trail"], [[0.1 * i, -0.1 * i] for i in range(4)], atol=1e-4)


def test_the_trail_keeps_the_last_points_only():
    state = ViewState(trail_points=3)
    for i in range(10):
        state.apply(Mood(arousal=i / 10, valence=0.0), now_s=i)
    assert [a for a, _ in state.drain()[0]["trail"]] == [0.7, 0.8, 0.9]


def test_status_is_decoded_with_the_wire_contract_names():
    (status,) = _fed(encode_status((1, 2, 3, 4, 5), "lost")).drain()
    assert status == {"type": "status", "t": 1000.0, "xruns": 1, "drops": 2, "osc_errors": 3,
                      "emotion_restarts": 4, "device_losses": 5, "device": "lost"}


def test_what_is_not_mirage_s_is_counted_and_skipped():
    state = _fed(b"not osc at all", _message("/other/app", 1.0), _message("/Lfmsg_ch0", 1.0, 2.0),
                 _message("/LFmsg_ch0", 1.0, 2.0, 3.0, 4.0))  # the last: mirage-code without the name
    assert (state.datagrams, state.unknown, state.malformed) == (4, 1, 3)
    assert not state.pending and state.drain() == []


def test_decode_reads_non_finite_values_as_zero_and_rejects_wrong_arguments():
    track = decode("/Lfmsg_ch7", (float("nan"), 1.0, 0.5, float("inf"), 440.0, 0.0, 0.0, 0.0))
    assert track == TrackFeatures(7, "/Lfmsg_ch7", "readme", None, 0.0, 1.0, 0.5, 0.0, (440.0,))
    assert decode("/HFmsg_ch0", (0.5, -0.5)) == Mood(0.5, -0.5)
    assert decode("/mirage/status", (0, 0, 0, 0, 0, "running")) == Status(0, 0, 0, 0, 0, "running")
    assert decode("/Lfmsg_chX", ()) is None
    for address, args in [("/Hfmsg_ch0", (1.0,)), ("/Lfmsg_ch0", ("x",) * 8),
                          ("/mirage/status", (0, 0, 0, 0, 0, 0)), ("/LFmsg_ch0", ("A", 1, 2, 3, 4, 5, 6, 7, 8, 9))]:
        with pytest.raises(DecodeError):
            decode(address, args)


@pytest.mark.parametrize("hz, label", [(440.0, "A4 +0c"), (440.0 * 2 ** (3 / 1200), "A4 +3c"),
                                       (261.6256, "C4 +0c"), (277.18 * 2 ** (-20 / 1200), "C#4 -20c"),
                                       (27.5, "A0 +0c"), (0.0, ""), (-5.0, ""), (float("nan"), "")])
def test_pitch_label_names_the_nearest_note_and_the_cents(hz, label):
    assert pitch_label(hz) == label


def test_a_flood_of_hops_coalesces_into_one_message_with_the_latest_values():
    """64 tracks at 94 hops/s for one second: one drain holds each track once, its last hop."""
    state = ViewState()
    for hop in range(94):
        for n in range(64):
            state.apply(TrackFeatures(n, f"/Lfmsg_ch{n}", "readme", None, float(hop), 0.0, 0.0, 0.0, ()),
                        now_s=hop / 94)
    (message,) = state.drain()
    assert [t["n"] for t in message["tracks"]] == list(range(64))
    assert all(t["centroid_hz"] == 93.0 and t["count"] == 94 for t in message["tracks"])
    assert state.drain() == []  # nothing new, nothing sent
    state.apply(TrackFeatures(5, "/Lfmsg_ch5", "readme", None, 1.0, 0.0, 0.0, 0.0, ()), now_s=2.0)
    (message,) = state.drain()
    assert [t["n"] for t in message["tracks"]] == [5]  # only what changed
    assert len(json.dumps(state.snapshot()[0])) > 64 * 100  # a new page gets every track


def test_the_throttle_bounds_pushes_whatever_the_stream_rate():
    """The server's push loop, run on a simulated clock: a hop every 1/94 s for 10 s."""
    throttle, state, pushes, sent_hops = Throttle(MAX_PUSH_HZ), ViewState(), [], 0
    for hop in range(940):
        now_s = hop / 94
        state.apply(TrackFeatures(0, "/Lfmsg_ch0", "readme", None, float(hop), 0.0, 0.0, 0.0, ()), now_s)
        if throttle.wait_s(now_s) == 0.0:
            throttle.pushed(now_s)
            (message,) = state.drain()
            pushes.append(now_s)
            sent_hops = message["tracks"][0]["count"]
    gaps = np.diff(pushes)
    assert gaps.min() >= 1 / MAX_PUSH_HZ - 1e-9
    assert 10 * MAX_PUSH_HZ * 0.7 <= len(pushes) <= 10 * MAX_PUSH_HZ + 1
    assert sent_hops >= 930  # the latest values keep flowing


def test_throttle_wait_is_the_rest_of_the_period():
    throttle = Throttle(max_hz=10.0)
    assert throttle.wait_s(5.0) == 0.0
    throttle.pushed(5.0)
    assert throttle.wait_s(5.04) == pytest.approx(0.06)
    assert throttle.wait_s(5.1) == 0.0


def test_a_new_song_marker_clears_the_mood_trail_and_is_not_unknown():
    from mirage.osc.addresses import EMOTION_RESET_ADDRESS
    from mirage.view.decode import MoodReset, decode
    from mirage.view.state import ViewState

    assert decode(EMOTION_RESET_ADDRESS, ()) == MoodReset()
    state = ViewState()
    state.apply(MoodReset(), 1.0)  # before any mood: nothing to push
    assert not state.pending
    for k in range(3):
        state.apply(decode("/Hfmsg_ch0", (0.1 * k, -0.1 * k)), 2.0 + k)
    assert len(state.drain()[0]["trail"]) == 3
    state.apply(decode(EMOTION_RESET_ADDRESS, ()), 9.0)
    (mood,) = state.drain()
    assert mood["type"] == "mood" and mood["trail"] == [] and mood["arousal"] == 0.2


@pytest.mark.parametrize("bundle", [True, False])
def test_the_rhythm_layer_from_the_engines_encoders(bundle):
    """Level, bands and onsets per track and the tempo, phase and beats, as `mirage run
    --rhythm` encodes them: decoded with the wire contract's names, coalesced per track with
    the onsets counted (a page flashes on the count, so none may be lost by coalescing)."""
    from kernels.rhythm_layout import N_RHYTHM, RH_BASS, RH_HIGH, RH_LEVEL, RH_LEVEL_DB, RH_MID, RH_ONSET
    from mirage.osc.beat_encoder import BeatEncoder
    from mirage.osc.track_rhythm_encoder import TrackRhythmEncoder

    rhythm = np.zeros((2, N_RHYTHM), np.float32)
    rhythm[:, [RH_LEVEL, RH_LEVEL_DB, RH_BASS, RH_MID, RH_HIGH]] = [(0.5, -20.0, 1.0, 0.25, 0.0), (0.0, -120.0, 0, 0, 0)]
    tracks, beats = TrackRhythmEncoder(2, bundle=bundle), BeatEncoder(bundle=bundle)
    datagrams = [*tracks.encode(rhythm, 0.0)]
    rhythm[0, RH_ONSET] = 0.75
    datagrams += tracks.encode(rhythm, 0.01)       # an onset on track 0
    rhythm[0, RH_ONSET] = 0.5
    datagrams += tracks.encode(rhythm, 0.02)       # and another
    datagrams += beats.encode_hop(128.0, 0.9, 0.25, 0.02)
    datagrams.append(beats.encode_beat(41, 127.5, 0.3))
    state = _fed(*datagrams)
    assert state.unknown == 0 and state.malformed == 0
    messages = {m["type"]: m for m in state.drain()}
    assert set(messages) == {"rhythm", "tempo"}
    t0, t1 = messages["rhythm"]["tracks"]
    assert t0 == {"n": 0, "level": 0.5, "level_db": -20.0, "bass": 1.0, "mid": 0.25, "high": 0.0,
                  "onset": 0.5, "onsets": 2}
    assert t1["n"] == 1 and t1["onsets"] == 0 and t1["level_db"] == -120.0
    tempo = messages["tempo"]
    assert (tempo["bpm"], tempo["confidence"], tempo["phase"], tempo["beat"], tempo["beats"]) == (128.0, 0.9, 0.25, 41, 1)
    assert state.drain() == [] and [m["type"] for m in state.snapshot()] == ["rhythm", "tempo"]


def test_rhythm_messages_with_the_wrong_arguments_are_malformed():
    with pytest.raises(DecodeError, match="level_db"):
        decode("/mirage/track/0/level", (0.5,))
    with pytest.raises(DecodeError, match="expected a number"):
        decode("/mirage/beat", ("one", 120.0))
    assert decode("/mirage/track/x/level", (0.5, -3.0)) is None  # not MIRAGE's: counted as unknown
