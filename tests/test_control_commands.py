"""The controller's namespace (`mirage.control.commands`): each command's effect on a
`ControlTarget`, the state it answers with, and what it rejects (counted by kind, answered
with the unchanged state)."""

from __future__ import annotations

import pytest

from mirage.control import addresses as A
from mirage.control.commands import ControlCommands
from mirage.control_target import ControlTarget
from mirage.engine.rig_control import RigControl
from tests.control_targets import Setlist


@pytest.fixture
def setlist():
    return Setlist()


@pytest.fixture
def commands(setlist):
    return ControlCommands(setlist)


def test_both_targets_implement_the_protocol(setlist):
    assert isinstance(setlist, ControlTarget)
    assert isinstance(RigControl([], lambda n, names: None), ControlTarget)


def test_transport_start_stop_and_toggle(commands, setlist):
    assert commands.handle(A.TRANSPORT_STOP, ()) == [(A.STATE_TRANSPORT, (0,))]
    assert setlist.running is False
    assert commands.handle(A.TRANSPORT_START, ()) == [(A.STATE_TRANSPORT, (1,))]
    assert commands.handle(A.TRANSPORT, (0,)) == [(A.STATE_TRANSPORT, (0,))]
    assert commands.handle(A.TRANSPORT, (1.0,)) == [(A.STATE_TRANSPORT, (1,))]
    assert setlist.running is True


def test_a_button_release_is_not_a_second_command(commands, setlist):
    """TouchOSC sends 1 on press and 0 on release: one next-song, not two."""
    assert commands.handle(A.SONG_NEXT, (1.0,)) == [(A.STATE_SONG, (1, "Blue Room"))]
    assert commands.handle(A.SONG_NEXT, (0.0,)) == []
    assert commands.handle(A.SONG_NEXT, (False,)) == []
    assert setlist.song == 1 and commands.bad.total == 0
    assert commands.handle(A.SONG_NEXT, (None,)) == [(A.STATE_SONG, (2, "Finale"))]  # nil: OSCQuery's trigger


def test_song_by_index_by_name_and_stepping_stops_at_the_ends(commands, setlist):
    assert commands.handle(A.SONG, (2,)) == [(A.STATE_SONG, (2, "Finale"))]
    assert commands.handle(A.SONG, ("blue room",)) == [(A.STATE_SONG, (1, "Blue Room"))]
    assert commands.handle(A.SONG, (0.0,)) == [(A.STATE_SONG, (0, "Intro"))]
    assert commands.handle(A.SONG_PREV, ()) == [(A.STATE_SONG, (0, "Intro"))]
    assert commands.handle(A.SONG, (2,)) == [(A.STATE_SONG, (2, "Finale"))]
    assert commands.handle(A.SONG_NEXT, ()) == [(A.STATE_SONG, (2, "Finale"))]
    assert [c for c in setlist.calls if c[0] == "select_song"] == [("select_song", i) for i in (2, 1, 0, 2)]


@pytest.mark.parametrize("args, kind", [
    ((3,), "out_of_range"), ((-1,), "out_of_range"), ((1.5,), "wrong_arguments"), (("Encore",), "unknown_name"),
    ((), "wrong_arguments"), ((1, 2), "wrong_arguments"), ((True,), "wrong_arguments"), ((b"\x00",), "wrong_arguments"),
])
def test_a_rejected_song_changes_nothing_is_counted_and_answers_the_truth(commands, setlist, args, kind):
    setlist.song = 1
    assert commands.handle(A.SONG, args) == [(A.STATE_SONG, (1, "Blue Room"))]
    assert setlist.song == 1
    assert commands.bad.nonzero() == {kind: 1}


def test_track_profile(commands, setlist):
    assert commands.handle("/mirage/track/1/profile", ("guitar",)) == [("/mirage/state/track/1/profile", ("GUITAR",))]
    assert setlist.profiles == ["DEFAULT", "GUITAR"]
    assert commands.handle("/mirage/track/1/profile", ("KAZOO",)) == [("/mirage/state/track/1/profile", ("GUITAR",))]
    assert commands.handle("/mirage/track/1/profile", (3.0,)) == [("/mirage/state/track/1/profile", ("GUITAR",))]
    assert commands.handle("/mirage/track/7/profile", ("VOICE",)) == []
    assert commands.handle("/mirage/track/x/profile", ("VOICE",)) == []
    assert commands.bad.nonzero() == {"unknown_name": 1, "wrong_arguments": 1, "out_of_range": 1, "unknown_address": 1}
    assert setlist.profiles == ["DEFAULT", "GUITAR"]
    assert commands.received[A.TRACK_PROFILE] == 4


def test_emotion_reset_and_the_full_state(commands, setlist):
    assert commands.handle(A.EMOTION_RESET, ()) == [(A.STATE_EMOTION_RESET, (1,))]
    assert setlist.resets == 1
    assert commands.handle(A.STATE_QUERY, ()) == [
        (A.STATE_SONGS, ("Intro", "Blue Room", "Finale")), (A.STATE_SONG, (0, "Intro")), (A.STATE_TRANSPORT, (1,)),
        (A.STATE_TRACKS, (2,)), ("/mirage/state/track/0/profile", ("DEFAULT",)),
        ("/mirage/state/track/1/profile", ("VOICE",)), (A.STATE_EMOTION_RESET, (1,))]
    assert commands.handle(A.STATE_QUERY, ("please",)) == []
    assert commands.bad.nonzero() == {"wrong_arguments": 1}


def test_an_engine_failure_is_counted_and_the_control_goes_on(setlist):
    def boom():
        raise RuntimeError("engine bug")

    setlist.reset_emotion = boom
    commands = ControlCommands(setlist)
    assert commands.handle(A.EMOTION_RESET, ()) == []
    assert commands.handle(A.SONG, (1,)) == [(A.STATE_SONG, (1, "Blue Room"))]
    assert commands.bad.nonzero() == {"command_failed": 1}


def test_midi_actions_are_the_osc_commands(commands, setlist):
    assert commands.act("song", 2) == [(A.STATE_SONG, (2, "Finale"))]
    assert commands.act("transport_stop") == [(A.STATE_TRANSPORT, (0,))]
    assert commands.act("song_prev") == [(A.STATE_SONG, (1, "Blue Room"))]
    assert commands.act("song", 9) == [(A.STATE_SONG, (1, "Blue Room"))]
    assert commands.bad.nonzero() == {"out_of_range": 1}


def test_the_oscquery_namespace_of_a_setlist():
    """Every command and every answer is a node; a method that is also a container
    (/mirage/state, /mirage/transport) keeps both."""
    from mirage.control import oscquery_namespace as Q

    commands = ControlCommands(Setlist())
    tree = Q.namespace(commands.state(), osc_profile="readme", sr_hz=48000.0)
    for address in [A.TRANSPORT_START, A.TRANSPORT_STOP, A.TRANSPORT, A.SONG, A.SONG_NEXT, A.SONG_PREV,
                    A.EMOTION_RESET, A.STATE_QUERY, "/mirage/track/0/profile", "/mirage/track/1/profile",
                    A.STATE_SONG, A.STATE_SONGS, A.STATE_TRANSPORT, A.STATE_TRACKS, A.STATE_EMOTION_RESET,
                    "/mirage/state/track/1/profile", "/Lfmsg_ch0", "/Lfmsg_ch1", "/Hfmsg_ch0", "/mirage/status"]:
        node = Q.find(tree, address)
        assert node is not None and node["FULL_PATH"] == address, address
        assert len(node.get("RANGE", [])) == len(node["TYPE"].replace("N", "")), address
    assert Q.find(tree, "/Lfmsg_ch2") is None and Q.find(tree, "/mirage/track/2/profile") is None
    assert Q.find(tree, A.STATE_QUERY)["ACCESS"] == 2 and "song" in Q.find(tree, A.STATE_QUERY)["CONTENTS"]
    assert Q.find(tree, A.STATE_SONG)["RANGE"] == [{"MIN": 0, "MAX": 2}, {"VALS": ["Intro", "Blue Room", "Finale"]}]
    assert Q.find(tree, "/Lfmsg_ch1")["RANGE"][4] == {"MIN": 0.0, "MAX": 4000.0}  # VOICE
    assert Q.find(tree, "/Lfmsg_ch0")["RANGE"][4] == {"MIN": 0.0, "MAX": 8000.0}  # DEFAULT


def test_the_namespace_lists_the_rhythm_layer_only_when_it_is_sent():
    from mirage.control import oscquery_namespace as Q
    from mirage.osc import addresses as O
    from mirage.rhythm import tempo_estimator

    commands = ControlCommands(Setlist())
    plain = Q.namespace(commands.state(), osc_profile="readme", sr_hz=48000.0)
    tree = Q.namespace(commands.state(), osc_profile="readme", sr_hz=48000.0, rhythm=True)
    rhythm = {O.TRACK_LEVEL_ADDRESS.format(1): O.TRACK_LEVEL_ARGUMENTS,
              O.TRACK_BANDS_ADDRESS.format(1): O.TRACK_BANDS_ARGUMENTS,
              O.TRACK_ONSET_ADDRESS.format(0): O.TRACK_ONSET_ARGUMENTS,
              O.TEMPO_ADDRESS: O.TEMPO_ARGUMENTS, O.PHASE_ADDRESS: O.PHASE_ARGUMENTS, O.BEAT_ADDRESS: O.BEAT_ARGUMENTS}
    for address, arguments in rhythm.items():
        assert Q.find(plain, address) is None, address
        node = Q.find(tree, address)
        assert node is not None and node["ACCESS"] == Q.ACCESS_READ, address
        assert len(node["TYPE"]) == len(node["RANGE"]) == len(node["UNIT"]) == len(arguments), address
    assert Q.find(tree, O.TRACK_LEVEL_ADDRESS.format(2)) is None  # two tracks in this setlist
    # the track's /mirage/track/<n> container keeps its profile command beside the rhythm nodes
    assert Q.find(tree, "/mirage/track/0/profile")["ACCESS"] == Q.ACCESS_READ_WRITE
    assert Q.find(tree, O.TEMPO_ADDRESS)["RANGE"][0] == {"MIN": tempo_estimator.BPM_MIN, "MAX": tempo_estimator.BPM_MAX}


def test_a_senders_control_characters_never_reach_the_log(caplog):
    commands = ControlCommands(Setlist())
    commands.handle("/\x1b[2J\nfake line", ())
    assert caplog.records[0].getMessage() == ("control: ignored /?[2J?fake line (not a MIRAGE command) "
                                              "(the next ones are only counted)")
