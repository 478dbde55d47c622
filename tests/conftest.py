"""Shared fixtures: a JACK dummy server for the PortAudio tests (``@pytest.mark.jack``)."""

import os

import pytest

from mirage.audio.jack_server import JackServer, jack_tools_missing, realtime_allowed
from tests.osc_receivers import HANG_S


def require_jack_tools() -> None:
    """Skip the calling test without jackd2's programs, or FAIL when ``CI`` is set."""
    missing = jack_tools_missing()
    if missing:
        message = f"JACK tools missing: {', '.join(missing)} (apt-get install jackd2 libportaudio2)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session")
def jack_server():
    """A running ``jackd -d dummy -r 48000 -p 512`` with PortAudio re-initialised to see it.

    Realtime scheduling (``-R``) is used when permitted, so callback timing measures our
    code rather than the other load on a shared machine. Without ``jackd`` the tests are
    skipped, or FAIL when the environment variable ``CI`` is set.
    """
    require_jack_tools()
    import sounddevice as sd

    server = JackServer(f"mirage-test-{os.getpid()}", realtime=realtime_allowed())
    server.start(timeout_s=HANG_S)  # a loaded machine may take a while; only a hang fails
    try:
        with server.portaudio():
            yield server
    finally:
        server.stop()  # after PortAudio let go of it (JackServer.portaudio)
        sd._initialize()  # PortAudio back, without JACK, for what runs after


# The demo recorded live and rendered offline, made once per session for the record/replay tests.
from tests.recordings import live_demo, offline_demo, offline_demo_mirage_code  # noqa: E402,F401
