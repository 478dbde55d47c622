"""mirage.lifecycle in-process and with a real child process (the signal paths of a real
`mirage run` are in tests/test_clean_stop.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from mirage.lifecycle import Interrupted, Shutdown, signals_blocked


def _deliver(signum) -> None:
    """Send ``signum`` to this process and let the main thread run its handler."""
    os.kill(os.getpid(), signum)
    for _ in range(100):
        time.sleep(0.001)


def test_a_deferred_signal_is_a_request_and_the_second_forces_the_way_out():
    shutdown = Shutdown().install().defer()
    try:
        shutdown.checkpoint()  # nothing requested yet
        _deliver(signal.SIGTERM)
        assert shutdown.requested and shutdown.signals_received == 1
        with pytest.raises(Interrupted):
            shutdown.checkpoint()
        with pytest.raises(KeyboardInterrupt):
            _deliver(signal.SIGINT)
    finally:
        shutdown.uninstall()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_child_started_with_the_signals_blocked_never_sees_them():
    """The child sleeps through a SIGINT and a SIGTERM sent during its start-up, then ignores
    them (`ignore_stop_signals`) and exits normally."""
    code = ("import time; time.sleep(0.5)\n"
            "from mirage.lifecycle import ignore_stop_signals; ignore_stop_signals()\n"
            "time.sleep(0.2); print('done')")
    with signals_blocked():
        child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True)
    child.send_signal(signal.SIGINT)
    child.send_signal(signal.SIGTERM)
    out, err = child.communicate(timeout=60)
    assert child.returncode == 0 and out.strip() == "done", (child.returncode, err)


def test_without_the_block_the_same_child_dies_of_it():
    """The control: the same child started normally is killed by the SIGTERM."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(5)"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    time.sleep(0.2)
    child.send_signal(signal.SIGTERM)
    child.communicate(timeout=60)
    assert child.returncode == -signal.SIGTERM


def test_ignore_stop_signals_leaves_them_ignored_and_unblocked():
    code = ("import signal\nfrom mirage.lifecycle import ignore_stop_signals; ignore_stop_signals()\n"
            "assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN\n"
            "assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN\n"
            "assert not signal.pthread_sigmask(signal.SIG_BLOCK, []) & {signal.SIGINT, signal.SIGTERM}\n")
    with signals_blocked():
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_install_off_the_main_thread_leaves_the_handlers_alone():
    """A command run in a thread (tests) cannot set signal handlers: `install` is a no-op
    there and the caller stops it with `request`."""
    import threading

    before = signal.getsignal(signal.SIGTERM)
    shutdown = Shutdown()
    thread = threading.Thread(target=lambda: shutdown.install().defer())
    thread.start()
    thread.join()
    assert signal.getsignal(signal.SIGTERM) is before and shutdown.deferred
    shutdown.request()
    with pytest.raises(Interrupted):
        shutdown.checkpoint()
    shutdown.uninstall()  # nothing to give back
    assert signal.getsignal(signal.SIGTERM) is before
