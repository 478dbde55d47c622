"""`mirage run`: the real-time engine — features of every track and the mood of the mix, as OSC.

Sources: ``--input live`` (every input channel of the device is a track), ``--input demo``
or ``--input PATH`` (a file or a folder of stems, played to the output device and analysed
from the same samples in the same callback). Without a usable audio device, files and the
demo still run on a clock (no playback), with a one-line notice; live input then fails.

Exit codes: 0 (finished, Ctrl-C, SIGTERM, --duration), 2 (bad input or parameter),
3 (the audio device went away while running).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path

import numpy as np

from mirage.errors import DeviceLostError, InputError, ParameterError

log = logging.getLogger("mirage.run")

LIVE = "live"
STATUS_PERIOD_S = 0.1
STALL_S = 2.0
GIL_SWITCH_INTERVAL_S = 0.0005  # the OSC writer waits at most this long for the GIL


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from mirage.osc.encode import DEFAULT_MAX_DATAGRAM_BYTES, OSC_PROFILES
    from mirage.profiles import DEFAULT_PROFILE, PROFILES

    src = parser.add_argument_group("source")
    src.add_argument("--input", default=LIVE, metavar="live|demo|PATH",
                     help="'live' (the audio device's inputs), 'demo', an audio file or a folder of stems "
                          "(default: %(default)s)")
    src.add_argument("--device", metavar="NAME|INDEX", help="audio device (see `mirage devices`; default: the system's)")
    src.add_argument("--channels", metavar="1,2,5", help="live: the input channels to analyse, 1-based (default: all)")
    src.add_argument("--no-play", action="store_true", help="file input: do not play it to the output")
    src.add_argument("--loop", action="store_true", help="file input: start again at the end")
    src.add_argument("--clock", action="store_true", help="file input: run on a clock without any audio device")
    ana = parser.add_argument_group("analysis")
    ana.add_argument("--n-fft", type=int, default=2048, help="frame length in samples (default: %(default)s)")
    ana.add_argument("--hop", type=int, default=512, help="hop in samples (default: %(default)s)")
    ana.add_argument("--blocksize", type=int, help="samples per audio callback (default: the hop)")
    names = ", ".join(PROFILES)
    prof = ana.add_mutually_exclusive_group()
    prof.add_argument("--profile", metavar="NAME", help=f"pitch range of every track: {names} "
                                                       f"(default: {DEFAULT_PROFILE}; for the demo, each stem's)")
    prof.add_argument("--profiles", metavar="NAME,NAME,...", help="one instrument profile per track")
    osc = parser.add_argument_group("OSC")
    osc.add_argument("--osc-profile", choices=OSC_PROFILES, default=OSC_PROFILES[0],
                     help="wire format: MIRAGE's documented messages or what its code sent (default: %(default)s)")
    osc.add_argument("--osc-host", default="127.0.0.1", help="destination host (default: %(default)s)")
    osc.add_argument("--osc-port", type=int, default=12345, help="destination UDP port (default: %(default)s)")
    osc.add_argument("--osc-target", action="append", default=[], metavar="HOST:PORT",
                     help="another destination (repeatable)")
    osc.add_argument("--max-datagram", type=int, default=DEFAULT_MAX_DATAGRAM_BYTES,
                     help="largest UDP datagram in bytes; bundles are split below it (default: %(default)s)")
    osc.add_argument("--no-bundle", action="store_true", help="plain messages, for receivers that cannot unpack bundles")
    emo = parser.add_argument_group("emotion")
    emo.add_argument("--no-emotion", action="store_true", help="do not run the emotion model")
    emo.add_argument("--emotion-model", metavar="FILE.onnx", help="emotion model (default: the shipped int8 model)")
    emo.add_argument("--emotion-smoothing", type=float, default=0.0, metavar="SECONDS",
                     help="causal exponential smoothing of arousal/valence (default: %(default)s = off)")
    run = parser.add_argument_group("run")
    run.add_argument("--duration", type=float, metavar="SECONDS", help="stop after this long (default: until the end / Ctrl-C)")
    run.add_argument("--stats-json", type=Path, metavar="FILE", help="write run statistics to FILE at exit")


def _check(args: argparse.Namespace) -> None:
    from mirage.analyze import check_parameters
    from mirage.osc.sender import parse_target

    check_parameters(n_fft=args.n_fft, hop=args.hop)
    if args.blocksize is not None and not 1 <= args.blocksize <= 65536:
        raise ParameterError(f"--blocksize must be within 1..65536 samples, got {args.blocksize}")
    if args.duration is not None and not args.duration > 0:
        raise ParameterError(f"--duration must be positive, got {args.duration:g}")
    if args.emotion_smoothing < 0:
        raise ParameterError(f"--emotion-smoothing must be >= 0 s, got {args.emotion_smoothing:g}")
    if not 0 < args.osc_port < 65536:
        raise ParameterError(f"--osc-port must be within 1..65535, got {args.osc_port}")
    for target in args.osc_target:
        parse_target(target)
    if args.stats_json is not None and not args.stats_json.parent.exists():
        raise InputError(f"--stats-json {args.stats_json}: folder {args.stats_json.parent} does not exist")
    if args.input == LIVE and (args.clock or args.no_play or args.loop):
        raise ParameterError("--clock, --no-play and --loop apply to file input, not to --input live")


def _channel_list(spec: str | None, available: int) -> list[int]:
    if spec is None:
        return list(range(available))
    try:
        chosen = [int(c) - 1 for c in spec.split(",")]
    except ValueError:
        raise ParameterError(f"--channels must be 1-based channel numbers like 1,2,5, got {spec!r}") from None
    bad = [c + 1 for c in chosen if not 0 <= c < available]
    if bad or len(set(chosen)) != len(chosen):
        raise ParameterError(f"--channels {spec!r}: the device has input channels 1..{available}")
    return chosen


class _Source:
    """What to analyse: the device inputs (playback None) or a song in memory."""

    def __init__(self, *, playback, channel_map, names, profiles_default, sr_hz, device, play, label):
        self.playback, self.channel_map, self.names = playback, channel_map, names
        self.profiles_default, self.sr_hz, self.device, self.play, self.label = (
            profiles_default, sr_hz, device, play, label)


def _open_source(args: argparse.Namespace, notice) -> _Source:
    from mirage.audio.device import find_device, portaudio
    from mirage.audio_files import DEMO_SOURCE, load_source

    sd, why_not = (None, "--clock asked for") if args.clock else portaudio()
    if args.input == LIVE:
        if sd is None:
            raise InputError(f"live input needs an audio device: {why_not}")
        device = find_device(sd, args.device, need_input=1)
        if device is None:
            raise InputError("live input needs an audio device: no audio input device found (see `mirage devices`)")
        channels = _channel_list(args.channels, device.max_input_channels)
        return _Source(playback=None, channel_map=channels, names=[f"in{c + 1}" for c in channels],
                       profiles_default=None, sr_hz=device.default_samplerate_hz, device=device, play=False,
                       label=f"live: {device.name}")
    if args.channels:
        raise ParameterError("--channels applies to --input live")
    device = None
    if sd is not None:
        device = find_device(sd, args.device, need_output=1)
        if device is None:
            why_not = "no audio output device found"
    if device is None:
        notice(f"mirage: notice: {why_not}; running on a clock, nothing is played")
    loaded = load_source([args.input], sr_hz=device.default_samplerate_hz if device else None)
    audio, sr_hz, names = loaded
    default = None
    if args.input == DEMO_SOURCE:
        from mirage.demo import STEM_PROFILES as default
    return _Source(playback=np.ascontiguousarray(audio.T), channel_map=list(range(audio.shape[0])), names=names,
                   profiles_default=default, sr_hz=sr_hz, device=device, play=not args.no_play,
                   label=str(args.input))


def _snapshot(graph, stream, writer, emotion, sender, source, profiles, args, started_s, callback_log):
    from mirage.engine.status import EngineSnapshot

    counters = stream.counters()
    cb = callback_log.summary_us()
    hs = writer.hop_to_send.summary_us()
    return EngineSnapshot(
        elapsed_s=time.monotonic() - started_s, sr_hz=graph.sr_hz, source=source.label,
        track_names=list(source.names), profiles=list(profiles), levels=graph.take_levels(),
        features=writer.latest_features, emotion=writer.latest_emotion,
        callbacks=counters["callbacks"], xruns=_xruns(counters),
        dropped_frames=_dropped(graph), osc_errors=sender.errors,
        emotion_restarts=emotion.restarts if emotion else 0,
        callback_p99_us=cb["p99"] if cb else None, hop_to_send_p99_us=hs["p99"] if hs else None,
        osc_targets=[s.target for s in sender.stats], osc_profile=args.osc_profile,
    )


def _collect_timing(timing: np.ndarray, callback_log, xrun_times_s: list[float], graph) -> None:
    """Callback durations into the log; the times (s since the first callback) of the first
    100 callbacks PortAudio flagged with an xrun, to tell start-up glitches from later ones."""
    from mirage.audio.raw_stream import PA_XRUN_MASK, T_DURATION_NS, T_START_NS, T_STATUS

    callback_log.extend(timing[:, T_DURATION_NS])
    for row in timing[(timing[:, T_STATUS] & PA_XRUN_MASK) != 0][: 100 - len(xrun_times_s)]:
        xrun_times_s.append(round((int(row[T_START_NS]) - graph.first_callback_ns) / 1e9, 3))


def _let_emotion_finish(mix_ring, emotion, timeout_s: float = 3.0) -> None:
    """At the end of a song, give the emotion worker the time to read the last of the mix
    (its last results are then sent by the OSC writer before it stops)."""
    if emotion is None or emotion.failed:
        return
    deadline = time.monotonic() + timeout_s
    while mix_ring.read < mix_ring.written and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.1)  # the last step's inference and the writer's drain


def _xruns(counters: dict) -> int:
    return sum(counters[k] for k in ("input_underflow", "input_overflow", "output_underflow", "output_overflow"))


def _dropped(graph) -> int:
    return graph.feature_ring.dropped + graph.hops_lost_no_room


def main(args: argparse.Namespace) -> int:
    from mirage.analyze import pitch_ranges
    from mirage.engine.callback import engine_callback
    from mirage.engine.clock_driver import ClockDriver
    from mirage.engine.graph import EngineGraph
    from mirage.engine.latency import LatencyLog
    from mirage.engine.osc_writer import OscWriter
    from mirage.engine.status import StatusDisplay
    from mirage.osc.encode import EmotionEncoder, make_hop_encoder
    from mirage.osc.sender import OscSender

    logging.basicConfig(level=logging.INFO, format="mirage: %(message)s", stream=sys.stderr)
    _check(args)
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)
    notice = lambda msg: print(msg, file=sys.stderr)  # noqa: E731
    source = _open_source(args, notice)
    ranges, profiles = pitch_ranges(args.profile, args.profiles, source.names, source.profiles_default)
    n_tracks = len(source.names)
    blocksize = args.blocksize or args.hop
    targets = [f"{args.osc_host}:{args.osc_port}"] + list(args.osc_target)
    hop_encoder = make_hop_encoder(n_tracks, profile=args.osc_profile, instrument_names=profiles,
                                   bundle=not args.no_bundle, max_datagram_bytes=args.max_datagram)
    emotion_encoder = EmotionEncoder(args.osc_profile, bundle=not args.no_bundle,
                                     max_datagram_bytes=args.max_datagram)
    sender = OscSender(targets)
    # Compile (or load) the encoders' kernels now, not on the first hop.
    hop_encoder.encode(np.zeros((n_tracks, 8), np.float32), time.time())
    emotion_encoder.encode(0.0, 0.0, time.time())

    mix_ring = emotion = None
    graph = stream = writer = None
    stop = threading.Event()
    exit_code = 0
    device_lost = False
    callback_log = LatencyLog()
    xrun_times_s: list[float] = []
    try:
        if not args.no_emotion:
            from kernels.ring import Ring
            from mirage.emotion.worker import EmotionSupervisor

            hops_per_s = source.sr_hz / args.hop
            capacity = 1 << int(np.ceil(np.log2(max(4.0, 8.0 * hops_per_s))))  # 8 s of audio
            mix_ring = Ring.create(capacity, (args.hop,), np.float32, shared=True)
            emotion = EmotionSupervisor(mix_ring.spec, source.sr_hz, model_path=args.emotion_model,
                                        smoothing_s=args.emotion_smoothing)
        graph = EngineGraph(n_tracks=n_tracks, sr_hz=source.sr_hz, n_fft=args.n_fft, hop=args.hop,
                            pitch_ranges_hz=ranges, channel_map=source.channel_map, playback=source.playback,
                            max_block=max(8 * blocksize, 4096), mix_ring=mix_ring, loop=args.loop,
                            output_gain=1.0 if source.play else 0.0)
        callback = engine_callback()
        if emotion is not None:
            emotion.start()
        writer = OscWriter(graph, hop_encoder, sender, emotion=emotion, emotion_encoder=emotion_encoder)
        writer.start()
        if source.device is None:
            stream = ClockDriver(callback, graph.table, samplerate=source.sr_hz, blocksize=blocksize)
        else:
            from mirage.audio.raw_stream import RawStream

            ch_in = max(source.channel_map) + 1 if source.playback is None else 0
            ch_out = 0 if source.playback is None else min(2, source.device.max_output_channels)
            stream = RawStream(source.device.index, int(source.sr_hz), blocksize, ch_in, ch_out, callback,
                               graph.table)

        def request_stop(signum, frame):
            stop.set()

        previous = signal.signal(signal.SIGTERM, request_stop)
        display = StatusDisplay()
        started = time.monotonic()
        deadline = started + args.duration if args.duration else None
        log.info("%s: %d track(s) at %g Hz, hop %d, OSC %s to %s%s", source.label, n_tracks, source.sr_hz,
                 args.hop, args.osc_profile, ", ".join(targets), "" if emotion else ", no emotion")
        stream.start()
        try:
            while not stop.is_set():
                stop.wait(STATUS_PERIOD_S)
                _collect_timing(stream.drain_timing(), callback_log, xrun_times_s, graph)
                if deadline is not None and time.monotonic() >= deadline:
                    break
                if graph.finished:
                    _let_emotion_finish(mix_ring, emotion)
                    break
                if not stream.active:
                    raise DeviceLostError("the audio stream stopped unexpectedly (device lost?)")
                last = stream.counters()["callbacks"]
                if source.device is not None and last and time.monotonic() - started > STALL_S:
                    since_ns = time.monotonic_ns() - int(graph.table.stats[8])  # S_LAST_START_NS
                    if since_ns > STALL_S * 1e9:
                        raise DeviceLostError(f"no audio callback for {since_ns / 1e9:.1f} s (device lost?)")
                display.update(_snapshot(graph, stream, writer, emotion, sender, source, profiles, args,
                                         started, callback_log))
        except KeyboardInterrupt:
            pass
        except DeviceLostError as exc:
            print(f"mirage: error: {exc}", file=sys.stderr)
            exit_code = exc.exit_code
            device_lost = True
        finally:
            display.close()
            signal.signal(signal.SIGTERM, previous)
    finally:
        if stream is not None:
            if not device_lost:  # PortAudio blocks forever stopping a stream whose device is gone
                stream.stop()
                stream.close()
            _collect_timing(stream.drain_timing(), callback_log, xrun_times_s, graph)
        if writer is not None:
            writer.stop()
        if emotion is not None:
            emotion.stop()
        if args.stats_json is not None and graph is not None and stream is not None:
            counters = stream.counters()
            stats = {
                "tracks": n_tracks,
                "callbacks": counters["callbacks"],
                "xruns": _xruns(counters),
                "dropped_frames": _dropped(graph),
                "callback_us": callback_log.summary_us(),
                "hop_to_send_us": writer.hop_to_send.summary_us(),
                "hops_sent": writer.hops_sent,
                "emotion_sent": writer.emotion_sent,
                "emotion_restarts": emotion.restarts if emotion else 0,
                "osc_errors": sender.errors,
                "nonfinite_samples": graph.nonfinite_samples,
                "xrun_times_s": xrun_times_s,
                "sr_hz": graph.sr_hz,
                "blocksize": blocksize,
                "source": source.label,
                "clock_driven": source.device is None,
                "osc_writer_scheduling": writer.scheduling,
            }
            args.stats_json.write_text(json.dumps(stats, indent=2) + "\n")
        sender.close()
        if graph is not None:
            graph.close()
        if mix_ring is not None:
            mix_ring.close()
            mix_ring.unlink()
    if device_lost:
        # PortAudio's exit handler would wait for (or abort on) the vanished device.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(exit_code)
    return exit_code
