"""Ctrl-C and SIGTERM as a request to stop, honoured at safe points, at any moment of a run.

A `KeyboardInterrupt` raised at an arbitrary bytecode (inside an import, a numba compile, a
``Process.start``, between creating a shared-memory segment and registering its cleanup)
leaves threads, the emotion process or ``/dev/shm`` segments half made. Instead, from the
first line of `mirage run`:

* Until the first resource that outlives the process exists (a shared-memory segment, a
  named semaphore, a child process), a signal ends the process at once with exit code 0:
  imports, argument checks, loading the song, compiling or loading the kernels (numba and
  Python write their caches atomically), opening the OSC socket and the control inputs (the
  kernel closes sockets; JACK notices a client that vanished).
* From `Shutdown.defer` on, SIGINT and SIGTERM only *record* the request (a
  `threading.Event`); the main loop waits on that event, and the start-up sequence calls
  `Shutdown.checkpoint` between its steps, which raises `Interrupted` there — a point where
  every resource made so far is owned by a ``with``/``finally`` that releases it. The CLI
  turns `Interrupted` into exit code 0, with no traceback.
* A second signal while the first is being honoured raises `KeyboardInterrupt` (the
  operator insists); cleanup handlers still run on the way out — except inside
  `Shutdown.releasing` (freeing shared memory, stopping the emotion process: well under a
  second), where it is only counted, so that a second Ctrl-C cannot cut a release in half.

The interpreter's own start-up (before ``mirage/__init__`` runs, some tens of milliseconds)
is out of reach: a Ctrl-C there is Python's KeyboardInterrupt.

Child processes must not see the terminal's Ctrl-C at all: it is sent to the whole process
group, and a spawned interpreter would die with a traceback during its imports, before it
could install a handler. `signals_blocked` blocks SIGINT and SIGTERM in the calling thread
while a child is started (the child inherits the blocked mask across fork and exec; the
parent's other threads still take the signal, so nothing is lost); the child ignores them
and then unblocks (`ignore_stop_signals`). CPython's own resource tracker is started the
same way.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import os
import signal
import sys
import threading

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(BaseException):
    """Raised at a checkpoint after Ctrl-C or SIGTERM (a BaseException: no ``except
    Exception`` on the way may swallow it). The CLI exits 0."""


class Shutdown:
    """The process-wide stop request of a command (see the module docstring).

    `mirage run` uses the one `SHUTDOWN`, installed before its imports; ``mirage monitor``
    installs its own, deferred at once (it makes nothing that outlives the process: a signal
    only ends its loop), so both commands handle SIGINT and SIGTERM with this one class.
    """

    def __init__(self):
        self.event = threading.Event()
        self.signals_received = 0
        self.deferred = False
        self._releasing = 0
        self._previous = {}

    def install(self) -> "Shutdown":
        """Route SIGINT and SIGTERM here; idempotent. Only the main thread may set signal
        handlers: elsewhere (a test running a command in a thread) this does nothing and
        the caller stops it with `request`. Also skips the interpreter's last garbage
        collection at exit (`gc.freeze` from an exit handler): it walks every numba/LLVM
        object, about a second, after everything that needed releasing was released by its
        owner."""
        if threading.current_thread() is not threading.main_thread():
            return self
        if not self._previous:
            atexit.register(gc.freeze)
        for signum in STOP_SIGNALS:
            if signal.getsignal(signum) != self._handle:
                self._previous.setdefault(signum, signal.signal(signum, self._handle))
        return self

    def uninstall(self) -> None:
        """Give SIGINT and SIGTERM back their handlers from before `install`."""
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous.clear()

    def defer(self) -> "Shutdown":
        """From now on a signal is a request honoured at checkpoints (resources exist)."""
        self.deferred = True
        return self

    def _handle(self, signum, frame) -> None:
        self.signals_received += 1
        if not self.deferred:  # nothing made yet that needs releasing: leave now
            for stream in (sys.stdout, sys.stderr):
                with contextlib.suppress(Exception):
                    stream.flush()
            os._exit(0)
        if self.event.is_set() and not self._releasing:
            raise KeyboardInterrupt  # the second Ctrl-C forces the way out
        self.event.set()

    @contextlib.contextmanager
    def releasing(self):
        """While inside, a further signal sets the request but never raises (see the module
        docstring): for the short, bounded steps that free what outlives the process."""
        self._releasing += 1
        try:
            yield
        finally:
            self._releasing -= 1

    def request(self) -> None:
        """Stop as if a signal had arrived (tests, the end of --duration)."""
        self.event.set()

    @property
    def requested(self) -> bool:
        return self.event.is_set()

    def checkpoint(self) -> None:
        """Raise `Interrupted` if a stop was requested."""
        if self.event.is_set():
            raise Interrupted()

    def wait(self, timeout_s: float) -> bool:
        """Sleep up to ``timeout_s``, waking at once on a stop request (True then)."""
        return self.event.wait(timeout_s)


SHUTDOWN = Shutdown()
"""The one instance of `mirage run` (signal handlers are per process)."""


@contextlib.contextmanager
def signals_blocked():
    """Block SIGINT and SIGTERM in this thread while inside (a child started here inherits
    the block: it cannot be killed by Ctrl-C before it set its own handlers). Signals that
    arrive meanwhile are delivered to another thread, or when the block ends."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def ignore_stop_signals() -> None:
    """In a child process started under `signals_blocked`: ignore SIGINT and SIGTERM (the
    parent owns the shutdown), then unblock them; a signal that was pending is discarded."""
    for signum in STOP_SIGNALS:
        signal.signal(signum, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)


def install_if_running_the_engine(argv: list[str]) -> None:
    """Install `SHUTDOWN` now if this process is ``mirage run`` (``python -m mirage run`` or
    the ``mirage`` script): called by ``mirage/__init__`` before its slow imports, so a
    Ctrl-C during them is a stop request rather than a traceback. Any other use of the
    package (a notebook, a test, the emotion process) keeps Python's own handlers."""
    launcher = os.path.basename(argv[0]) if argv else ""
    if launcher not in ("-m", "mirage"):
        return
    command = next((a for a in argv[1:] if not a.startswith("-")), None)
    if command == "run" and threading.current_thread() is threading.main_thread():
        SHUTDOWN.install()
