"""`mirage run`: the real-time engine — features of every track and the mood of the mix, as OSC.

Sources (``mirage run SOURCE`` or ``-i/--input SOURCE``): ``live`` (every input channel of
the device, or those of ``-c/--channels``, is a track), ``demo`` or a PATH (a file or a
folder of stems, played to the output device and analysed from the same samples in the same
callback). Without a usable audio device, files and the demo still run on a clock (no
playback), with a one-line notice; live input then fails.

Control: ``--control-port PORT`` accepts OSC commands from the artists' software (transport,
song, per-track profile, emotion reset; each answered with the new state) and serves their
OSCQuery namespace over HTTP on the same port number (TCP), advertised with zeroconf;
``--control-midi NAME`` a MIDI controller (Program Change / Song Select: song; Start, Stop,
Continue: transport). Everything listens on 127.0.0.1 unless ``--control-host`` says
otherwise; ``--control-allow`` limits the senders — see `mirage.control`. The controller
drives the engine through `mirage.control_target.ControlTarget`.

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
from mirage.errors import DeviceLostError, InputError, ParameterError

log = logging.getLogger("mirage.run")

STATUS_PERIOD_S = 0.1
GIL_SWITCH_INTERVAL_S = 0.0005  # the OSC writer waits at most this long for the GIL


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from mirage.osc.addresses import DEFAULT_MAX_DATAGRAM_BYTES, OSC_PROFILES
    from mirage.osc.sender import DEFAULT_HOST, DEFAULT_PORT
    from mirage.profiles import DEFAULT_PROFILE, PROFILES

    src = parser.add_argument_group("source")
    src.add_argument("source", nargs="?", metavar="SOURCE",
                     help="what to analyse, as --input (e.g. `mirage run demo`)")
    src.add_argument("-i", "--input", metavar="live|demo|PATH",
                     help=f"'live' (the audio device's inputs), 'demo', an audio file or a folder of stems "
                          f"(default: {LIVE})")
    src.add_argument("-d", "--device", metavar="NAME|INDEX",
                     help="audio device (see `mirage devices`; default: the system's)")
    src.add_argument("-c", "--channels", metavar="1-4,7",
                     help="live: the input channels that are tracks, 1-based, in track order; "
                          "ranges allowed (default: all)")
    src.add_argument("--no-play", action="store_true", help="file input: do not play it to the output")
    src.add_argument("--loop", action="store_true", help="file input: start again at the end (the mood starts a new context at each pass)")
    src.add_argument("--clock", action="store_true", help="file input: run on a clock without any audio device")
    ana = parser.add_argument_group("analysis")
    ana.add_argument("--n-fft", type=int, default=2048, metavar="N", help="frame length in samples (default: %(default)s)")
    ana.add_argument("--hop", type=int, default=512, metavar="N", help="hop in samples (default: %(default)s)")
    ana.add_argument("-b", "--blocksize", type=int, metavar="N", help="samples per audio callback (default: the hop)")
    names = ", ".join(PROFILES)
    prof = ana.add_mutually_exclusive_group()
    prof.add_argument("--profile", metavar="NAME", help=f"pitch range of every track: {names} "
                                                       f"(default: {DEFAULT_PROFILE}; for the demo, each stem's)")
    prof.add_argument("--profiles", metavar="NAME,NAME,...", help="one instrument profile per track")
    osc = parser.add_argument_group("OSC")
    osc.add_argument("--osc-profile", choices=OSC_PROFILES, default=OSC_PROFILES[0],
                     help="wire format: MIRAGE's documented messages or what its code sent (default: %(default)s)")
    osc.add_argument("-o", "--osc-target", action="append", default=[], metavar="HOST:PORT",
                     help="send the OSC to HOST:PORT (repeatable). -o as in `mirage analyze -o FILE`: "
                          "where the output goes, so given alone it replaces the default destination")
    osc.add_argument("--osc-host", metavar="HOST",
                     help=f"the default destination's host (default: {DEFAULT_HOST}); given, it is sent to "
                          f"besides any -o")
    osc.add_argument("--osc-port", type=int, metavar="PORT",
                     help=f"the default destination's UDP port (default: {DEFAULT_PORT}); likewise")
    osc.add_argument("--max-datagram", type=int, default=DEFAULT_MAX_DATAGRAM_BYTES, metavar="BYTES",
                     help="largest UDP datagram in bytes; bundles are split below it (default: %(default)s)")
    osc.add_argument("--no-bundle", action="store_true", help="plain messages, for receivers that cannot unpack bundles")
    emo = parser.add_argument_group("emotion")
    emo.add_argument("--no-emotion", action="store_true", help="do not run the emotion model")
    emo.add_argument("--emotion-model", metavar="FILE.onnx", help="emotion model (default: the shipped int8 model)")
    emo.add_argument("--emotion-smoothing", type=float, default=0.0, metavar="SECONDS",
                     help="causal exponential smoothing of arousal/valence (default: %(default)s = off)")
    rhy = parser.add_argument_group("rhythm")
    rhy.add_argument("--rhythm", action="store_true",
                     help="also send the mix's tempo and beat phase every hop (/mirage/tempo, /mirage/phase) "
                          "and a beat trigger time-tagged at the predicted beat (/mirage/beat); see the README")
    ctl = parser.add_argument_group("control (OSC or MIDI in)")
    ctl.add_argument("--control-port", type=int, metavar="PORT",
                     help="listen for OSC commands on this UDP port (/mirage/transport/start, /mirage/song, "
                          "/mirage/track/N/profile, /mirage/emotion/reset, ...; see the README) and serve "
                          "their OSCQuery namespace (default: no control input)")
    ctl.add_argument("--control-host", default=CONTROL_HOST, metavar="HOST",
                     help="address the control port and the OSCQuery server listen on (default: %(default)s, "
                          "this machine only; 0.0.0.0: every interface)")
    ctl.add_argument("--control-allow", action="append", default=[], metavar="NETWORK",
                     help="accept commands only from this network, e.g. 192.168.1.0/24 or 10.0.0.7 "
                          "(repeatable; default: any sender that reaches --control-host)")
    ctl.add_argument("--control-reply-to", action="append", default=[], metavar="HOST:PORT",
                     help="also send every /mirage/state/* answer here, e.g. a surface that listens on a "
                          "fixed port (repeatable; the sender always gets them)")
    ctl.add_argument("--control-midi", metavar="NAME",
                     help="MIDI input port (see `mirage devices`; part of its name is enough): Program "
                          "Change or Song Select n selects song n; Start, Continue, Stop the transport")
    ctl.add_argument("--oscquery-port", type=int, metavar="PORT",
                     help="TCP port of the OSCQuery HTTP server (default: the --control-port number)")
    ctl.add_argument("--no-oscquery", action="store_true", help="no OSCQuery server (nor zeroconf)")
    ctl.add_argument("--no-zeroconf", action="store_true",
                     help="do not advertise the OSCQuery server (_oscjson._tcp) and the control port (_osc._udp)")
    # MIDI message -> action (mirage.control.midi.DEFAULT_MIDI_MAP when None); set by the rig file
    parser.set_defaults(control_midi_map=None)
    run = parser.add_argument_group("run")
    run.add_argument("--duration", type=float, metavar="SECONDS", help="stop after this long (default: until the end / Ctrl-C)")
    run.add_argument("--stats-json", type=Path, metavar="FILE", help="write run statistics to FILE at exit")
    run.add_argument("--record", type=Path, metavar="FILE",
                     help="also write every datagram sent, with its timing, to this new recording "
                          "(`mirage replay FILE` sends it again; an existing FILE is refused)")
    run.add_argument("--exit-on-device-loss", action="store_true",
                     help="exit (code 3) when the audio device goes away, instead of retrying it every second")


def _check(args: argparse.Namespace) -> None:
    """Check every parameter before anything starts (a one-line error, exit 2), and settle
    the two that can be given in two ways: ``args.input`` (the positional SOURCE or
    ``--input``) and ``args.osc_targets`` (`mirage.osc.destinations`)."""
    from mirage.channels import parse_channels
    from mirage.frame_parameters import check_frame
    from mirage.osc.destinations import osc_destinations

    if args.source is not None and args.input is not None and args.source != args.input:
        raise ParameterError(f"two sources given: {args.source!r} and --input {args.input!r}; give one")
    args.input = args.source or args.input or LIVE
    if args.channels is not None:
        parse_channels(args.channels)
    check_frame(n_fft=args.n_fft, hop=args.hop)
    if args.blocksize is not None and not 1 <= args.blocksize <= 65536:
        raise ParameterError(f"--blocksize must be within 1..65536 samples, got {args.blocksize}")
    if args.duration is not None and not args.duration > 0:
        raise ParameterError(f"--duration must be positive, got {args.duration:g}")
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
    if args.input == LIVE and (args.clock or args.no_play or args.loop):
        raise ParameterError("--clock, --no-play and --loop apply to file input, not to --input live")


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
    from mirage.engine.source import open_source
    from mirage.osc.sender import OscSender
    from mirage.profiles import track_pitch_ranges
    from mirage.startup import STOP_HINT, startup_lines

    logging.basicConfig(level=logging.INFO, format="mirage: %(message)s", stream=sys.stderr)
    _check(args)
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)
    source = open_source(args.input, device_spec=args.device, channels=args.channels, clock=args.clock,
                         play=not args.no_play, notice=lambda msg: print(msg, file=sys.stderr))
    ranges, profiles = track_pitch_ranges(source.names, profile=args.profile, profiles=args.profiles,
                                          default=source.profiles_default)
    n_tracks = len(source.names)
    targets = args.osc_targets
    compiling = compile_notice("run")  # one line on stderr when the kernels are not cached yet
    from mirage.osc.emotion_encoder import EmotionEncoder  # compiles or loads on import
    from mirage.osc.hop_encoder import make_hop_encoder
    hop_encoder = make_hop_encoder(n_tracks, profile=args.osc_profile, instrument_names=profiles,
                                   bundle=not args.no_bundle, max_datagram_bytes=args.max_datagram)
    emotion_encoder = EmotionEncoder(args.osc_profile, bundle=not args.no_bundle,
                                     max_datagram_bytes=args.max_datagram)
    # Compile (or load) the encoders' kernels now, not on the first hop.
    hop_encoder.encode(np.zeros((n_tracks, 8), np.float32), time.time())
    emotion_encoder.encode(0.0, 0.0, time.time())
    beat_encoder = None
    if args.rhythm:
        from mirage.osc.beat_encoder import BeatEncoder

        beat_encoder = BeatEncoder(bundle=not args.no_bundle)

    # The controller's view of the engine (mirage.control_target.ControlTarget): today one
    # song, the source. A command that arrives before the engine exists is applied by attach.
    from mirage.engine.single_song_target import SingleSongTarget, song_name

    def encoder_for(names):  # a profile change: the same encoder with new instrument names
        return make_hop_encoder(n_tracks, profile=args.osc_profile, instrument_names=names,
                                bundle=not args.no_bundle, max_datagram_bytes=args.max_datagram)

    target = SingleSongTarget(song_name(args.input), profiles, encoder_for)

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
                        pitch_ranges_hz=ranges, profiles=profiles, hop_encoder=hop_encoder,
                        emotion_encoder=emotion_encoder, sender=sender, emotion=not args.no_emotion,
                        emotion_model=args.emotion_model, emotion_smoothing_s=args.emotion_smoothing,
                        loop=args.loop, shutdown=shutdown,  # defers the signals (mirage.lifecycle)
                        rhythm=args.rhythm, beat_encoder=beat_encoder)
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
            if beat_encoder is not None:
                log.info("rhythm: %s", beat_encoder.describe())
            for line in control.lines if control is not None else ():
                log.info("%s", line)
            log.info("%s", STOP_HINT)
            engine.start(stop=shutdown.event)
            shutdown.checkpoint()
            device_lost = _run_until_done(engine, args, shutdown, control)
        finally:
            stats = engine.close()
            if stats is not None and control is not None:
                stats["control"] = control.stats()
            if stats is not None and recorder is not None:
                stats["record"] = recorder.summary()
            if args.stats_json is not None and stats is not None:
                args.stats_json.write_text(json.dumps(stats, indent=2) + "\n")
    if device_lost is not None:
        raise device_lost  # one line, exit code 3 (mirage.cli)
    return 0


def _run_until_done(engine, args: argparse.Namespace, shutdown, control=None) -> DeviceLostError | None:
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
