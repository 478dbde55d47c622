"""Shared fixtures: a JACK dummy server for the PortAudio tests (``@pytest.mark.jack``)."""

import os
import shutil
import subprocess

import pytest

from mirage.audio.jack_server import JackServer, jack_tools_missing
from tests.osc_receivers import HANG_S


def _realtime_allowed() -> bool:
    """Whether this machine lets us use SCHED_FIFO (jackd -R); MIRAGE_JACK_REALTIME=0/1 overrides."""
    forced = os.environ.get("MIRAGE_JACK_REALTIME")
    if forced is not None:
        return forced == "1"
    chrt = shutil.which("chrt")
    if chrt is None:
        return False
    return subprocess.run([chrt, "-f", "10", "true"], capture_output=True).returncode == 0


@pytest.fixture(scope="session")
def jack_server():
    """A running ``jackd -d dummy -r 48000 -p 512`` with PortAudio re-initialised to see it.

    Realtime scheduling (``-R``) is used when permitted, so callback timing measures our
    code rather than the other load on a shared machine. Without ``jackd`` the tests are
    skipped, or FAIL when the environment variable ``CI`` is set.
    """
    missing = jack_tools_missing()
    if missing:
        message = f"JACK tools missing: {', '.join(missing)} (apt-get install jackd2 libportaudio2)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    import sounddevice as sd

    from mirage.audio.raw_stream import reinitialize_portaudio

    server = JackServer(f"mirage-test-{os.getpid()}", realtime=_realtime_allowed())
    server.start(timeout_s=HANG_S)  # a loaded machine may take a while; only a hang fails
    saved = {key: os.environ.get(key) for key in server.env}
    server.export_env()
    try:
        reinitialize_portaudio()
        yield server
    finally:
        # PortAudio's JACK host API asserts (abort) if it terminates after the server died:
        # terminate it first, then stop jackd, then bring PortAudio back without JACK.
        sd._terminate()
        server.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        sd._initialize()
