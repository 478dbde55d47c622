"""`mirage run`: the real-time engine — features of every track and the mood of the mix, as OSC.

Sources (``mirage run SOURCE`` or ``-i/--input SOURCE``): ``live`` (every input channel of
the device, or those of ``-c/--channels``, is a track), ``demo`` or a PATH (a file or a
folder of stems, played to the output device and analysed from the same samples in the same
callback). Without a usable audio device, files and the demo still run on a clock (no
playback), with a one-line notice; live input then fails.

Rig file and setlist: ``--config RIG.toml`` gives any option as a key and a setlist of songs
(`mirage.rig_file`); flags given override it, and `settle` gives every option its value in one
place (command line, else rig file, else `RUN_DEFAULTS`). ``--song`` picks the first song,
``--advance next|stop|hold`` what a recorded song's end does. Songs change without restarting
the stream (`mirage.engine.rig_control.RigControl`).

Control: ``--control-port PORT`` accepts OSC commands from the artists' software (transport,
song, per-track profile, emotion reset; each answered with the new state) and serves their
OSCQuery namespace over HTTP on the same port number (TCP), advertised with zeroconf;
``--control-midi NAME`` a MIDI controller (Program Change / Song Select: song; Start, Stop,
Continue: transport). Everything listens on 127.0.0.1 unless ``--control-host`` says
otherwise; ``--control-allow`` limits the senders — see `mirage.control`. The controller
drives the engine through `mirage.control_target.ControlTarget` (`RigControl`).

Audio device lost while running (a JACK server restarted, an interface unplugged): the run
goes on, retrying the same device about once a second, and resumes when it is back
(`mirage.engine.device_watch`); ``--exit-on-device-loss`` exits 3 instead.

Stopping: Ctrl-C or SIGTERM at any moment — imports, compilation, the emotion worker's start,
running — stops cleanly, exit code 0 (`mirage.lifecycle`); a second Ctrl-C forces it.

Exit codes: 0 (finished, Ctrl-C, SIGTERM, --duration), 2 (bad input or parameter, control
port taken, no such MIDI input), 3 (the audio device went away, with --exit-on-device-loss).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
import time
from pathlib import Path

import numpy as np

from mirage.control.osc_receiver import DEFAULT_HOST as CONTROL_HOST
from mirage.engine.source import LIVE
from mirage.rhythm.level_options import DEFAULT_ATTACK_MS, DEFAULT_RELEASE_MS, add_level_options, check_level_smoothing
from mirage.errors import DeviceLostError, InputError, ParameterError

log = logging.getLogger("mirage.run")

STATUS_PERIOD_S = 0.1
GIL_SWITCH_INTERVAL_S = 0.0005  # the OSC writer waits at most this long for the GIL


#: the value of every ``mirage run`` option nobody gave (neither the command line nor the rig
#: file): argparse's defaults are all None, so `settle` can tell "not given" from "given".
RUN_DEFAULTS = {
    "input": LIVE, "device": None, "channels": None, "no_play": False, "loop": False, "clock": False,
    "n_fft": 2048, "hop": 512, "blocksize": None, "profile": None, "profiles": None,
    "osc_profile": "readme", "osc_target": [], "osc_host": None, "osc_port": None, "max_datagram": 1472,
    "no_bundle": False, "no_emotion": False, "emotion_model": None, "emotion_smoothing": 0.0,
    "control_port": None, "control_host": CONTROL_HOST, "control_allow": [], "control_reply_to": [],
    "control_midi": None, "control_midi_map": None, "oscquery_port": None, "no_oscquery": False,
    "no_zeroconf": False, "duration": None, "stats_json": None, "record": None, "exit_on_device_loss": False,
    "advance": "next", "song": None, "rhythm": False, "level_attack_ms": DEFAULT_ATTACK_MS,
    "level_release_ms": DEFAULT_RELEASE_MS,
}
PATH_OPTIONS = ("stats_json", "record")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Every option's default is None (see `RUN_DEFAULTS`, `settle`); the help shows the real one."""
    from mirage.engine.rig_control import ADVANCE_CHOICES
    from mirage.osc.addresses import OSC_PROFILES
    from mirage.osc.sender import DEFAULT_HOST, DEFAULT_PORT
    from mirage.profiles import DEFAULT_PROFILE, MIRAGE_CODE_DEFAULT_PROFILE, PROFILES

    D = RUN_DEFAULTS
    flag = dict(action="store_true", default=None)
    parser.add_argument("--config", type=Path, metavar="RIG.toml",
                        help="a rig file: any of these options as keys, and a setlist ([[songs]]); "
                             "options given here override it (see the README, `mirage setup`)")
    src = parser.add_argument_group("source")
    src.add_argument("source", nargs="?", metavar="SOURCE",
                     help="what to analyse, as --input (e.g. `mirage run demo`)")
    src.add_argument("-i", "--input", metavar="live|demo|PATH",
                     help=f"'live' (the audio device's inputs), 'demo', an audio file or a folder of stems "
                          f"(default: {D['input']}; given, it replaces the rig file's setlist)")
    src.add_argument("-d", "--device", metavar="NAME|INDEX",
                     help="audio device (see `mirage devices`; default: the system's)")
    src.add_argument("-c", "--channels", metavar="1-4,7",
                     help="live: the input channels that are tracks, 1-based, in track order; "
                          "ranges allowed (default: all)")
    src.add_argument("--no-play", **flag, help="file input: do not play it to the output")
    src.add_argument("--loop", **flag, help="file input: start again at the end (the mood starts a new context at each pass)")
    src.add_argument("--clock", **flag, help="file input: run on a clock without any audio device")
    src.add_argument("--song", metavar="N|NAME",
                     help="start with this song of the setlist: its 0-based index (as /mirage/song) or its name "
                          "(default: the first)")
    src.add_argument("--advance", choices=ADVANCE_CHOICES,
                     help=f"at a recorded song's end: next (the next song; after the last, the run ends), stop "
                          f"(the run ends), hold (silence until a command changes the song) (default: {D['advance']})")
    ana = parser.add_argument_group("analysis")
    ana.add_argument("--n-fft", type=int, metavar="N", help=f"frame length in samples (default: {D['n_fft']})")
    ana.add_argument("--hop", type=int, metavar="N", help=f"hop in samples (default: {D['hop']})")
    ana.add_argument("-b", "--blocksize", type=int, metavar="N", help="samples per audio callback (default: the hop)")
    names = ", ".join(PROFILES)
    prof = ana.add_mutually_exclusive_group()
    prof.add_argument("--profile", metavar="NAME", help=f"pitch range of every track: {names} "
                                                       f"(default: {DEFAULT_PROFILE}, with --osc-profile mirage-code "
                                                       f"{MIRAGE_CODE_DEFAULT_PROFILE}; for the demo, each stem's)")
    prof.add_argument("--profiles", metavar="NAME,NAME,...", help="one instrument profile per track")
    osc = parser.add_argument_group("OSC")
    osc.add_argument("--osc-profile", choices=OSC_PROFILES,
                     help=f"wire format: MIRAGE's documented messages or what its code sent (default: {D['osc_profile']})")
    osc.add_argument("-o", "--osc-target", action="append", metavar="HOST:PORT",
                     help="send the OSC to HOST:PORT (repeatable). -o as in `mirage analyze -o FILE`: "
                          "where the output goes, so given alone it replaces the default destination")
    osc.add_argument("--osc-host", metavar="HOST",
                     help=f"the default destination's host (default: {DEFAULT_HOST}); given, it is sent to "
                          f"besides any -o")
    osc.add_argument("--osc-port", type=int, metavar="PORT",
                     help=f"the default destination's UDP port (default: {DEFAULT_PORT}); likewise")
    osc.add_argument("--max-datagram", type=int, metavar="BYTES",
                     help=f"largest UDP datagram in bytes; bundles are split below it (default: {D['max_datagram']})")
    osc.add_argument("--no-bundle", **flag, help="plain messages, for receivers that cannot unpack bundles")
    rhy = parser.add_argument_group("rhythm")
    rhy.add_argument("--rhythm", **flag,
                     help="also send per-track level, bass/mid/high bands and onsets (/mirage/track/<n>/level, "
                          "/bands, /onset), the mix's tempo and beat phase every hop (/mirage/tempo, /mirage/phase) "
                          "and a beat trigger time-tagged at the predicted beat (/mirage/beat); see the README")
    add_level_options(rhy, settled_later=True)
    emo = parser.add_argument_group("emotion")
    emo.add_argument("--no-emotion", **flag, help="do not run the emotion model")
    emo.add_argument("--emotion-model", metavar="FILE.onnx", help="emotion model (default: the shipped int8 model)")
    emo.add_argument("--emotion-smoothing", type=float, metavar="SECONDS",
                     help=f"causal exponential smoothing of arousal/valence (default: {D['emotion_smoothing']} = off)")
    ctl = parser.add_argument_group("control (OSC or MIDI in)")
    ctl.add_argument("--control-port", type=int, metavar="PORT",
                     help="listen for OSC commands on this UDP port (/mirage/transport/start, /mirage/song, "
                          "/mirage/track/N/profile, /mirage/emotion/reset, ...; see the README) and serve "
                          "their OSCQuery namespace (default: no control input)")
    ctl.add_argument("--control-host", metavar="HOST",
                     help=f"address the control port and the OSCQuery server listen on (default: {D['control_host']}, "
                          "this machine only; 0.0.0.0: every interface)")
    ctl.add_argument("--control-allow", action="append", metavar="NETWORK",
                     help="accept commands only from this network, e.g. 192.168.1.0/24 or 10.0.0.7 "
                          "(repeatable; default: any sender that reaches --control-host)")
    ctl.add_argument("--control-reply-to", action="append", metavar="HOST:PORT",
                     help="also send every /mirage/state/* answer here, e.g. a surface that listens on a "
                          "fixed port (repeatable; the sender always gets them)")
    ctl.add_argument("--control-midi", metavar="NAME",
                     help="MIDI input port (see `mirage devices`; part of its name is enough): Program "
                          "Change or Song Select n selects song n; Start, Continue, Stop the transport")
    ctl.add_argument("--oscquery-port", type=int, metavar="PORT",
                     help="TCP port of the OSCQuery HTTP server (default: the --control-port number)")
    ctl.add_argument("--no-oscquery", **flag, help="no OSCQuery server (nor zeroconf)")
    ctl.add_argument("--no-zeroconf", **flag,
                     help="do not advertise the OSCQuery server (_oscjson._tcp) and the control port (_osc._udp)")
    # MIDI message -> action (mirage.control.midi.DEFAULT_MIDI_MAP when None): the rig file's
    # control_midi_map table only
    parser.set_defaults(control_midi_map=None)
    run = parser.add_argument_group("run")
    run.add_argument("--duration", type=float, metavar="SECONDS", help="stop after this long (default: until the end / Ctrl-C)")
    run.add_argument("--stats-json", type=Path, metavar="FILE", help="write run statistics to FILE at exit")
    run.add_argument("--record", type=Path, metavar="FILE",
                     help="also write every datagram sent, with its timing, to this new recording "
                          "(`mirage replay FILE` sends it again; an existing FILE is refused)")
    run.add_argument("--exit-on-device-loss", **flag,
                     help="exit (code 3) when the audio device goes away, instead of retrying it every second")


def settle(args: argparse.Namespace) -> None:
    """Give every option its value, in one place: the command line's, else the rig file's
    (``--config``), else `RUN_DEFAULTS`. Sets ``args.songs`` (`mirage.setlist.Song` list):
    the rig file's setlist, or one song from the source given on the command line (which
    replaces the file's setlist) or the file's ``input``."""
    from mirage.rig_file import load_rig
    from mirage.setlist import Song

    if args.source is not None and args.input is not None and args.source != args.input:
        raise ParameterError(f"two sources given: {args.source!r} and --input {args.input!r}; give one")
    cli_source = args.source or args.input
    rig = load_rig(args.config) if args.config is not None else None
    options = rig.options if rig is not None else {}
    if args.profile is not None or args.profiles is not None:  # one on the command line: neither from the file
        options = {k: v for k, v in options.items() if k not in ("profile", "profiles")}
    for dest, default in RUN_DEFAULTS.items():
        if getattr(args, dest, None) is None:
            value = options.get(dest, default)
            setattr(args, dest, list(value) if isinstance(value, list) else value)
    for dest in PATH_OPTIONS:
        if getattr(args, dest) is not None:
            setattr(args, dest, Path(getattr(args, dest)))
    if cli_source is not None:
        args.input = cli_source
    if rig is not None and rig.songs and cli_source is None:
        args.songs = rig.songs
    else:
        args.songs = [Song(args.input)]


def _check(args: argparse.Namespace) -> None:
    """Check every parameter before anything starts (a one-line error, exit 2), and settle
    the two that can be given in two ways: ``args.input`` (the positional SOURCE or
    ``--input``) and ``args.osc_targets`` (`mirage.osc.destinations`)."""
    from mirage.channels import parse_channels
    from mirage.frame_parameters import check_frame
    from mirage.osc.destinations import osc_destinations

    if not hasattr(args, "songs"):
        settle(args)
    if args.channels is not None:
        parse_channels(args.channels)
    check_frame(n_fft=args.n_fft, hop=args.hop)
    from mirage.engine.rig_control import ADVANCE_CHOICES
    from mirage.osc.addresses import OSC_PROFILES

    for name, value, choices in (("osc_profile", args.osc_profile, OSC_PROFILES),
                                 ("advance", args.advance, ADVANCE_CHOICES)):
        if value not in choices:
            raise ParameterError(f"--{name.replace('_', '-')} {value!r}: expected one of {', '.join(choices)}")
    if args.blocksize is not None and not 1 <= args.blocksize <= 65536:
        raise ParameterError(f"--blocksize must be within 1..65536 samples, got {args.blocksize}")
    if args.duration is not None and not args.duration > 0:
        raise ParameterError(f"--duration must be positive, got {args.duration:g}")
    check_level_smoothing(args.level_attack_ms, args.level_release_ms)
    if args.emotion_smoothing < 0:
        raise ParameterError(f"--emotion-smoothing must be >= 0 s, got {args.emotion_smoothing:g}")
    if args.control_port is not None and not 0 < args.control_port < 65536:
        raise ParameterError(f"--control-port must be within 1..65535, got {args.control_port}")
    if args.oscquery_port is not None and not 0 < args.oscquery_port < 65536:
        raise ParameterError(f"--oscquery-port must be within 1..65535, got {args.oscquery_port}")
    _check_control(args)
    args.osc_targets = osc_destinations(args.osc_host, args.osc_port, args.osc_target)
    if args.stats_json is not None and not args.stats_json.parent.exists():
        raise InputError(f"--stats-json {args.stats_json}: folder {args.stats_json.parent} does not exist")
    if args.record is not None:
        from mirage.recording.format import check_new_recording

        check_new_recording(args.record)
    live = any(song.source == LIVE for song in args.songs)
    if live and (args.clock or args.no_play or args.loop):
        raise ParameterError("--clock, --no-play and --loop apply to file input, not to --input live")
    if args.channels is not None and len(args.songs) > 1:
        raise ParameterError("--channels applies to one song; in a setlist, give each track's channel")
    if args.profiles is not None and len(args.songs) > 1:
        raise ParameterError("--profiles applies to one song; in a setlist, give each track's profile")
    args.song_index = _song_index(args.song, args.songs)


def _song_index(song, songs) -> int:
    """``--song`` (an index, 0-based, or a name) as an index into the setlist."""
    if song is None:
        return 0
    text = str(song)
    if text.lstrip("-").isdigit():
        index = int(text)
        if not 0 <= index < len(songs):
            raise ParameterError(f"--song {index}: the setlist has {len(songs)} song(s), 0..{len(songs) - 1}")
        return index
    titles = [s.title for s in songs]
    folded = [t.casefold() for t in titles]
    if text.casefold() not in folded:
        raise ParameterError(f"--song {text!r}: no such song (the setlist: {', '.join(titles)})")
    return folded.index(text.casefold())


def _check_control(args: argparse.Namespace) -> None:
    from mirage.control.allow_list import AllowList
    from mirage.control.midi import check_midi_map
    from mirage.osc.sender import parse_target

    AllowList(args.control_allow)
    for target in args.control_reply_to:
        try:
            parse_target(target)
        except ParameterError as exc:
            raise ParameterError(f"--control-reply-to: {exc}") from None
    if args.control_midi_map is not None:
        check_midi_map(args.control_midi_map)
    needs_port = [name for name, given in (("--control-allow", args.control_allow),
                                           ("--control-reply-to", args.control_reply_to),
                                           ("--oscquery-port", args.oscquery_port is not None)) if given]
    if needs_port and args.control_port is None:
        raise ParameterError(f"{needs_port[0]} needs --control-port")


def main(args: argparse.Namespace) -> int:
    from mirage.lifecycle import SHUTDOWN

    shutdown = SHUTDOWN.install()  # Ctrl-C / SIGTERM: see mirage.lifecycle
    from mirage.compile_notice import compile_notice
    from mirage.control.inputs import open_control_inputs
    from mirage.engine.device_watch import DeviceWatch
    from mirage.engine.engine import Engine
    from mirage.osc.sender import OscSender
    from mirage.profiles import default_profile
    from mirage.startup import STOP_HINT, startup_lines

    logging.basicConfig(level=logging.INFO, format="mirage: %(message)s", stream=sys.stderr)
    _check(args)
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)
    from mirage.setlist import open_setlist

    songs = open_setlist(args.songs, device_spec=args.device, clock=args.clock, play=not args.no_play,
                         notice=lambda msg: print(msg, file=sys.stderr), fallback_profile=default_profile(args.osc_profile),
                         profile=args.profile, profiles=args.profiles, channels=args.channels)
    first = songs[args.song_index]
    source = first.source
    targets = args.osc_targets
    compiling = compile_notice("run")  # one line on stderr when the kernels are not cached yet
    from mirage.osc.emotion_encoder import EmotionEncoder  # compiles or loads on import
    from mirage.osc.hop_encoder import make_hop_encoder

    def encoder_for(n_tracks: int, names: list[str]):  # a song, or new profiles: its own encoder
        return make_hop_encoder(n_tracks, profile=args.osc_profile, instrument_names=names,
                                bundle=not args.no_bundle, max_datagram_bytes=args.max_datagram)

    hop_encoder = encoder_for(first.n_tracks, first.profiles)
    emotion_encoder = EmotionEncoder(args.osc_profile, bundle=not args.no_bundle,
                                     max_datagram_bytes=args.max_datagram)
    # Compile (or load) the encoders' kernels now, not on the first hop.
    hop_encoder.encode(np.zeros((first.n_tracks, 8), np.float32), time.time())
    emotion_encoder.encode(0.0, 0.0, time.time())
    rhythm_encoder = beat_encoder = None
    if args.rhythm:  # per-track rhythm (one encoder per song size, made by the writer from this one); the mix's beat
        from kernels.rhythm_layout import N_RHYTHM
        from mirage.osc.beat_encoder import BeatEncoder
        from mirage.osc.track_rhythm_encoder import TrackRhythmEncoder

        beat_encoder = BeatEncoder(bundle=not args.no_bundle)

        rhythm_encoder = TrackRhythmEncoder(first.n_tracks, bundle=not args.no_bundle,
                                            max_datagram_bytes=args.max_datagram)
        rhythm_encoder.encode(np.zeros((first.n_tracks, N_RHYTHM), np.float32), time.time())

    # The controller's view of the engine (mirage.control_target.ControlTarget): the setlist.
    # A command that arrives before the engine exists is applied by attach.
    from mirage.engine.rig_control import RigControl

    target = RigControl(songs, encoder_for, start=args.song_index, advance=args.advance)
    setlist = len(songs) > 1
    hold_at_end = args.advance == "hold" or (args.advance == "next" and setlist)
    live_inputs = max((max(s.source.channel_map) + 1 for s in songs), default=None) if source.playback is None else None

    device_lost = None
    with contextlib.ExitStack() as stack:
        sender = stack.enter_context(OscSender(targets))
        recorder = None
        if args.record is not None:  # a tee on the sender, the file written by its own thread
            from mirage.recording.recorder import LiveRecorder

            recorder = stack.enter_context(LiveRecorder(
                args.record, sr_hz=source.sr_hz, hop=args.hop, n_fft=args.n_fft, tracks=source.names,
                profile=args.osc_profile, bundle=not args.no_bundle))
            sender.tee = recorder.tee
        # opened before the engine: a taken port or a missing MIDI input is a one-line error
        # (exit 2), not a dead control found out on stage
        control = open_control_inputs(stack, args, target, osc_profile=args.osc_profile, sr_hz=source.sr_hz)
        engine = Engine(source, n_fft=args.n_fft, hop=args.hop, blocksize=args.blocksize or args.hop,
                        pitch_ranges_hz=first.ranges_hz, profiles=first.profiles, hop_encoder=hop_encoder,
                        emotion_encoder=emotion_encoder, sender=sender, emotion=not args.no_emotion,
                        emotion_model=args.emotion_model, emotion_smoothing_s=args.emotion_smoothing,
                        loop=args.loop, shutdown=shutdown,  # defers the signals (mirage.lifecycle)
                        max_tracks=max(s.n_tracks for s in songs), input_channels=live_inputs,
                        hold_at_end=hold_at_end, rhythm_encoder=rhythm_encoder,
                        level_attack_ms=args.level_attack_ms, level_release_ms=args.level_release_ms,
                        beat_encoder=beat_encoder)
        target.attach(engine)
        try:
            compiling.done()
            if source.device is not None:
                engine.device_watch = DeviceWatch(engine)
            for line in startup_lines(source_label=source.label, sr_hz=source.sr_hz, hop_samples=args.hop,
                                      hop_encoder=hop_encoder, emotion_encoder=emotion_encoder,
                                      emotion=engine.emotion, targets=targets,
                                      input_channels=source.channel_map if args.channels else None):
                log.info("%s", line)
            if rhythm_encoder is not None:
                log.info("rhythm out: %s", rhythm_encoder.describe())
            if beat_encoder is not None:
                log.info("rhythm: %s", beat_encoder.describe())
            for line in control.lines if control is not None else ():
                log.info("%s", line)
            if setlist:
                log.info("setlist: %s; at a song's end: %s",
                         ", ".join(f"{i}: {s.title} ({s.n_tracks} tracks)" for i, s in enumerate(songs)), args.advance)
            log.info("%s", STOP_HINT)
            engine.start(stop=shutdown.event)
            shutdown.checkpoint()
            device_lost = _run_until_done(engine, args, shutdown, control, target)
        finally:
            stats = engine.close()
            if stats is not None:
                stats["songs"] = target.songs()
                stats["song"] = target.current_song()
                stats["song_changes_ms"] = [round((b - a) / 1e6, 3) if b else None for a, b in target.changes]
            if stats is not None and control is not None:
                stats["control"] = control.stats()
            if stats is not None and recorder is not None:
                stats["record"] = recorder.summary()
            if args.stats_json is not None and stats is not None:
                args.stats_json.write_text(json.dumps(stats, indent=2) + "\n")
    if device_lost is not None:
        raise device_lost  # one line, exit code 3 (mirage.cli)
    return 0


def _control_lock(control):
    """The controller's lock (a song change from the main loop must not interleave with a
    command's), or nothing when there is no control input."""
    return control.commands._lock if control is not None else contextlib.nullcontext()


def _run_until_done(engine, args: argparse.Namespace, shutdown, control=None, rig=None) -> DeviceLostError | None:
    """Show the status until the song ends, --duration passes or a stop is requested (Ctrl-C,
    SIGTERM). A lost device is retried until it is back (`DeviceWatch`); with
    --exit-on-device-loss it is returned instead, its PortAudio instance let go of (the
    exit must not touch it)."""
    from mirage.engine.status_display import StatusDisplay

    display = StatusDisplay()
    deadline = engine.started_s + args.duration if args.duration else None
    watch = engine.device_watch
    try:
        while not shutdown.wait(STATUS_PERIOD_S):
            if watch is not None and watch.is_lost:
                watch.poll()
            else:
                try:
                    engine.check()
                except DeviceLostError as exc:
                    if watch is None:
                        return exc
                    watch.lost(exc, retry=not args.exit_on_device_loss)
                    if args.exit_on_device_loss:
                        return exc
            if rig is not None and engine.graph.song_ended and not engine.finished:  # held at a song's end
                with _control_lock(control):
                    done = engine.graph.song_ended and rig.advance_at_end()
                if done:
                    engine.let_emotion_finish(stop=shutdown.event)
                    return None
            if engine.finished:
                engine.let_emotion_finish(stop=shutdown.event)
                return None
            if deadline is not None and time.monotonic() >= deadline:
                return None
            snapshot = engine.snapshot(args.osc_profile)
            if control is not None:
                snapshot.control_bad = control.commands.bad.total
                snapshot.transport_running = control.commands.transport_running()
            display.update(snapshot)
    finally:
        display.close()
    return None
