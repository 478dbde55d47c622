"""``mirage replay FILE``: send a recording (`mirage run --record`, `mirage analyze --record`)
again, with its original timing, to the same kind of OSC destinations as ``mirage run``.

::

    mirage replay FILE [--loop] [--speed X] [--start S] [-o HOST:PORT ...] [--osc-host H]
                  [--osc-port P] [--no-bundle] [--info]

Schedule, time tags and the loop marker: `mirage.recording.replayer`. ``--info`` prints a
summary instead of sending (`mirage.recording.summary`). A file that is not a recording, of
a newer format version, cut inside its header, or empty: one line, exit code 2. Ctrl-C or
SIGTERM stops at once, exit code 0, after the closing line.
"""

from __future__ import annotations

import argparse
import logging
import sys

from mirage.errors import ParameterError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from mirage.osc.sender import DEFAULT_HOST, DEFAULT_PORT

    parser.add_argument("file", metavar="FILE", help="a recording (mirage run/analyze --record FILE)")
    parser.add_argument("--info", action="store_true",
                        help="print a summary (duration, tracks, addresses with counts and rates) and exit")
    parser.add_argument("--loop", action="store_true",
                        help="start again at the end, sending /mirage/emotion/reset at each new pass")
    parser.add_argument("--speed", type=float, default=1.0, metavar="X",
                        help="play X times as fast (default: %(default)s)")
    parser.add_argument("--start", type=float, default=0.0, metavar="SECONDS",
                        help="skip this much of the recording's beginning (default: %(default)s)")
    osc = parser.add_argument_group("OSC (as for `mirage run`)")
    osc.add_argument("-o", "--osc-target", action="append", default=[], metavar="HOST:PORT",
                     help="send to HOST:PORT (repeatable); given alone it replaces the default destination")
    osc.add_argument("--osc-host", metavar="HOST",
                     help=f"the default destination's host (default: {DEFAULT_HOST}); given, it is sent to "
                          f"besides any -o")
    osc.add_argument("--osc-port", type=int, metavar="PORT",
                     help=f"the default destination's UDP port (default: {DEFAULT_PORT}); likewise")
    osc.add_argument("--no-bundle", action="store_true",
                     help="send the messages of every bundle as plain messages")


def main(args: argparse.Namespace) -> int:
    from mirage.lifecycle import Shutdown

    # Ctrl-C / SIGTERM: until the sending starts, leave at once (exit 0, nothing to release);
    # then a request that ends the send loop, followed by the closing line (mirage.lifecycle).
    shutdown = Shutdown().install()
    try:
        return _replay(args, shutdown)
    finally:
        shutdown.uninstall()


def _replay(args: argparse.Namespace, shutdown) -> int:
    from mirage.osc.destinations import osc_destinations
    from mirage.recording.format import read_recording

    logging.basicConfig(level=logging.INFO, format="mirage: %(message)s", stream=sys.stderr)
    if not (args.speed > 0 and args.speed < float("inf")):
        raise ParameterError(f"--speed must be a positive number, got {args.speed:g}")
    if not args.start >= 0:
        raise ParameterError(f"--start must be >= 0 s, got {args.start:g}")
    header, records, tail_bytes = read_recording(args.file)
    if args.info:
        from mirage.recording.summary import summary_lines

        for line in summary_lines(header, records, tail_bytes):
            print(line)
        return 0
    if not records:
        raise ParameterError(f"{args.file}: the recording holds no datagrams")
    targets = osc_destinations(args.osc_host, args.osc_port, args.osc_target)

    from mirage.osc.sender import OscSender
    from mirage.recording.replayer import Replayer

    with OscSender(targets) as sender:
        replayer = Replayer(header, records, sender, speed=args.speed, start_s=args.start,
                            loop=args.loop, unbundle=args.no_bundle)
        if tail_bytes:
            print(f"mirage: {args.file}: the last {tail_bytes} bytes are a cut record, not replayed",
                  file=sys.stderr)
        print(f"mirage: replaying {args.file} ({replayer.pass_duration_s:.1f} s per pass at speed "
              f"{args.speed:g}{', looping' if args.loop else ''}) → {', '.join(targets)}; Ctrl-C to stop",
              file=sys.stderr)
        live = sys.stderr.isatty()
        shutdown.defer()
        stats = replayer.run(stop=shutdown.event, on_progress=_show_progress if live else None)
        late = stats.late_ms()
        end = "\r\033[K" if live else ""
        print(f"{end}mirage: replay {'stopped' if shutdown.requested else 'done'}: {stats.passes} pass(es), "
              f"{stats.datagrams_sent} datagrams in {stats.elapsed_s:.1f} s, {sender.errors} send errors; "
              f"lateness p50 {late['p50']:.3f} ms, p99 {late['p99']:.3f} ms, max {late['max']:.3f} ms",
              file=sys.stderr)
    return 0


def _show_progress(replayer, pass_index: int, position_s: float) -> None:
    stats = replayer.stats
    total_s = replayer.pass_duration_s
    within_s = position_s - pass_index * total_s
    sys.stderr.write(f"\r\033[Kmirage: replay pass {pass_index + 1}: {within_s:6.1f} / {total_s:.1f} s, "
                     f"{stats.datagrams_sent} datagrams")
    sys.stderr.flush()
