"""The ``mirage`` command: one argparse parser, one subcommand per module.

::

    mirage analyze PATH... [--out FILE.csv]   features of files, offline
    mirage batch PATH... --out DIR            a catalogue: Parquet per input, a manifest
    mirage bench [--quick] [--json FILE]       kernel latency vs librosa
    mirage run [demo|PATH|live] [-d DEVICE]   the real-time engine (--config RIG.toml: a rig file)
    mirage setup [--out RIG.toml]             the set-up questions, written as a rig file
    mirage devices                            list audio devices
    mirage monitor ...                        watch an OSC stream
    mirage view [--listen PORT]               the OSC stream as a live web page
    mirage replay FILE [--loop] [--info]      send a recording again, with its timing

Each subcommand lives in ``mirage/commands/<name>.py`` (a thin layer over the library: no
command imports another) with ``add_arguments(parser)`` (optional) and
``main(args) -> int``; ``monitor`` parses its own argv (``main(argv)``). A module is imported
only when its subcommand is chosen, so ``mirage analyze`` works on a machine without
PortAudio. Help texts show defaults with ``%(default)s``, as in python-sounddevice's examples.

Errors a user can cause (`mirage.errors.MirageError`) are printed as one line,
``mirage: error: <message>``, with the error's exit code (2 for bad input or parameters);
Ctrl-C exits with 130 and no traceback (``mirage run``: 0, see `mirage.lifecycle`). Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import os
import sys
from types import ModuleType

from mirage import __version__
from mirage.errors import EXIT_BAD_INPUT, EXIT_OK, MirageError
from mirage.lifecycle import Interrupted

EXIT_INTERRUPTED = 130

#: name -> one-line help. The module is ``mirage.commands.<name>``.
SUBCOMMANDS = {
    "analyze": "analyse audio files offline: features per track and frame, as CSV or a table",
    "batch": "analyse a catalogue: one Parquet file per input, a manifest; local processes or a Dask cluster",
    "bench": "benchmark the kernels against librosa (per-chunk latency)",
    "run": "run the real-time engine on a sound card or a multitrack file, sending OSC",
    "setup": "answer the set-up questions (live or recorded, song, monitor, profiles, controller): a rig file",
    "devices": "list the audio devices",
    "monitor": "print the OSC messages MIRAGE sends",
    "view": "a live web page of the OSC stream: per-track meters, the mood, the status",
    "replay": "send a recording (run/analyze --record) again with its original timing, or --info",
}
OWN_ARGV = {"monitor"}  # subcommands whose main() parses its own argv


class NotAvailable(MirageError):
    """A subcommand whose module is not part of this installation (yet)."""


def load_command(name: str) -> ModuleType:
    """Import ``mirage.commands.<name>``; NotAvailable if it does not exist or has no ``main``."""
    module_name = f"mirage.commands.{name}"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            raise NotAvailable(f"'{name}' is not available yet") from None
        raise MirageError(f"'{name}' cannot start: {exc}") from None
    except (ImportError, OSError) as exc:  # e.g. PortAudio library missing
        raise MirageError(f"'{name}' cannot start: {exc}") from None
    if not callable(getattr(module, "main", None)):
        raise NotAvailable(f"'{name}' is not available yet")
    return module


def build_parser(command: str | None = None) -> tuple[argparse.ArgumentParser, ModuleType | None]:
    """The parser; the arguments of `command` (only) are registered by its module.

    The subcommands' parsers are kept as ``parser.subcommand_parsers`` (name -> parser), so
    that a mistake in a subcommand's arguments is reported with that subcommand's usage.
    """
    parser = argparse.ArgumentParser(
        prog="mirage",
        description="MIRAGE: real-time music information retrieval for live art. "
                    "Per-track spectral features and the mood of the mix, streamed as OSC.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    module = None
    parser.subcommand_parsers = {}
    for name, help_text in SUBCOMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text,
                           add_help=name not in OWN_ARGV)
        parser.subcommand_parsers[name] = p
        if name == command and name not in OWN_ARGV:
            module = load_command(name)
            if hasattr(module, "add_arguments"):
                module.add_arguments(p)
    return parser, module


def _command_of(argv: list[str]) -> str | None:
    return next((a for a in argv if not a.startswith("-")), None)


def _unknown_arguments(subparser: argparse.ArgumentParser, unknown: list[str]) -> None:
    """Report arguments the subcommand does not know with *its* usage (argparse would show
    the top-level ``mirage COMMAND ...`` one), suggesting the nearest option; exits 2."""
    options = [o for action in subparser._actions for o in action.option_strings if o.startswith("--")]
    text = f"unrecognized arguments: {' '.join(unknown)}"
    flag = next((a.split("=", 1)[0] for a in unknown if a.startswith("--")), None)
    close = difflib.get_close_matches(flag, options, n=1) if flag else []
    if close:
        text += f" (did you mean {close[0]}?)"
    subparser.error(text)


def main(argv: list[str] | None = None) -> int:
    """Run ``mirage`` with `argv` (default: ``sys.argv[1:]``); return the exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        command = _command_of(argv)
        if command in OWN_ARGV:
            rest = argv[argv.index(command) + 1:]
            try:
                return int(load_command(command).main(rest) or 0)
            except SystemExit as exc:  # its own parser's --help or usage error, printed
                return exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
        parser, module = build_parser(command if command in SUBCOMMANDS else None)
        try:
            args, unknown = parser.parse_known_args(argv)
            if unknown:
                _unknown_arguments(parser.subcommand_parsers[args.command], unknown)
        except SystemExit as exc:  # --help, --version, usage errors: argparse printed them
            return exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
        return int(module.main(args) or 0)
    except MirageError as exc:
        print(f"mirage: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except Interrupted:  # `mirage run`: Ctrl-C / SIGTERM honoured at a checkpoint (mirage.lifecycle)
        return EXIT_OK
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # e.g. `mirage analyze demo | head -1`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
