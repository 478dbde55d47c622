"""Start, stop and patch a JACK server with the dummy driver (tests, headless rigs).

``jackd --no-realtime -n NAME -d dummy -r 48000 -p 512`` is a real, correctly paced audio
device without a sound card: PortAudio's "JACK Audio Connection Kit" host API sees it as a
device named ``system``. Its capture ports deliver zeros; a test injects a signal by
disconnecting ``system:capture_*`` from a stream's input ports and connecting another
client's output ports instead.

Clients find the server through the environment: ``JACK_DEFAULT_SERVER=NAME`` selects it and
``JACK_NO_START_SERVER=1`` stops libjack from silently starting a default server of its own.
PortAudio reads them when it is initialised, so after `JackServer.start` call
``mirage.audio.raw_stream.reinitialize_portaudio()`` (after ``export_env()``).

Patching uses jackd2's command-line tools (``jack_lsp``, ``jack_connect``,
``jack_disconnect``); no Python JACK binding is needed.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import subprocess
import tempfile
import time

from mirage.errors import InputError, ParameterError

__all__ = ["JackServer", "jack_tools_missing", "realtime_allowed"]

_TOOLS = ("jackd", "jack_lsp", "jack_connect", "jack_disconnect")


def realtime_allowed() -> bool:
    """Whether this machine lets jackd use SCHED_FIFO (``jackd -R``); the environment
    variable MIRAGE_JACK_REALTIME=0/1 overrides."""
    forced = os.environ.get("MIRAGE_JACK_REALTIME")
    if forced is not None:
        return forced == "1"
    chrt = shutil.which("chrt")
    return chrt is not None and subprocess.run([chrt, "-f", "10", "true"], capture_output=True).returncode == 0


def jack_tools_missing() -> list[str]:
    """Names of the jackd2 programs this module needs that are not on PATH."""
    return [tool for tool in _TOOLS if shutil.which(tool) is None]


class JackServer:
    """A ``jackd`` process with the dummy driver, owned by this object.

    Parameters
    ----------
    name : str, optional
        Server name (``jackd -n``); default ``mirage-<pid>`` so parallel runs do not meet.
    samplerate_hz : int
        Sample rate of the dummy driver.
    period_frames : int
        Frames per JACK cycle (the dummy driver wakes once per period).
    capture_channels, playback_channels : int
        Number of ``system:capture_N`` / ``system:playback_N`` ports.
    realtime : bool
        False (default): ``--no-realtime``, all threads time-shared. True: ``-R -P 70``,
        jackd and its clients' process threads (hence PortAudio callbacks) get SCHED_FIFO;
        needs CAP_SYS_NICE or an rtprio limit. On a loaded machine only this keeps the
        callback period within a fraction of a millisecond.
    """

    def __init__(
        self,
        name: str | None = None,
        *,
        samplerate_hz: int = 48000,
        period_frames: int = 512,
        capture_channels: int = 2,
        playback_channels: int = 2,
        realtime: bool = False,
    ):
        if samplerate_hz <= 0 or period_frames <= 0:
            raise ParameterError(f"bad JACK rate/period: {samplerate_hz} Hz, {period_frames} frames")
        if capture_channels < 0 or playback_channels < 0:
            raise ParameterError(f"bad JACK channel counts: {capture_channels} in, {playback_channels} out")
        self.name = name or f"mirage-{os.getpid()}"
        self.samplerate_hz = samplerate_hz
        self.period_frames = period_frames
        self.capture_channels = capture_channels
        self.playback_channels = playback_channels
        self.realtime = realtime
        self._proc: subprocess.Popen | None = None
        self._log = None

    # ------------------------------------------------------------------ lifecycle

    @property
    def env(self) -> dict[str, str]:
        """Environment variables that point JACK clients at this server."""
        return {"JACK_DEFAULT_SERVER": self.name, "JACK_NO_START_SERVER": "1"}

    def export_env(self) -> None:
        """Put `env` into ``os.environ`` (PortAudio reads it at initialisation)."""
        os.environ.update(self.env)

    @contextlib.contextmanager
    def portaudio(self):
        """PortAudio in this process sees this server while inside (its `env` exported,
        PortAudio initialised anew). On the way out PortAudio is terminated — before the
        caller stops jackd: PortAudio's JACK host API aborts the process if the server
        vanishes first — and the environment restored; it is left uninitialised
        (`mirage.audio.raw_stream.reinitialize_portaudio` brings it back)."""
        import sounddevice as sd

        from mirage.audio.raw_stream import reinitialize_portaudio

        saved = {key: os.environ.get(key) for key in self.env}
        self.export_env()
        try:
            reinitialize_portaudio()
            yield self
        finally:
            while sd._initialized:
                sd._terminate()
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def start(self, timeout_s: float = 10.0) -> "JackServer":
        """Start ``jackd`` and wait until it answers ``jack_lsp`` with its system ports."""
        missing = jack_tools_missing()
        if missing:
            raise InputError(f"JACK tools not found on PATH: {', '.join(missing)} (apt-get install jackd2)")
        if self.running:
            return self
        period_us = round(1e6 * self.period_frames / self.samplerate_hz)
        rt_args = ["-R", "-P", "70"] if self.realtime else ["--no-realtime"]
        cmd = [
            "jackd", *rt_args, "-n", self.name,
            "-d", "dummy", "-r", str(self.samplerate_hz), "-p", str(self.period_frames),
            "-C", str(self.capture_channels), "-P", str(self.playback_channels), "-w", str(period_us),
        ]  # fmt: skip
        self._log = tempfile.TemporaryFile(mode="w+", prefix="jackd-")
        self._proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + timeout_s
        expected = "system:capture_1" if self.capture_channels else "system:playback_1"
        while time.monotonic() < deadline:
            code = self._proc.poll()
            if code is not None:
                log = self._read_log()
                self.stop()
                raise InputError(f"jackd exited with code {code}: {log.strip()[-500:]}")
            probe = self._run(["jack_lsp"], check=False, timeout_s=2.0)
            if probe.returncode == 0 and expected in probe.stdout.split():
                return self
            time.sleep(0.05)
        self.stop()
        raise InputError(f"jackd {self.name!r} did not come up within {timeout_s} s")

    def stop(self, timeout_s: float = 5.0) -> None:
        """Terminate ``jackd`` (SIGTERM, then SIGKILL after ``timeout_s``) and reap it."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self._log is not None:
            self._log.close()
            self._log = None
        if proc is not None:
            self._remove_client_semaphores()

    def kill(self) -> None:
        """SIGKILL ``jackd`` (a crash: its clients are not told) and reap it."""
        if self._proc is not None:
            self._proc.kill()
        self.stop()

    def _remove_client_semaphores(self) -> None:
        """jackd removes its clients' semaphores (``/dev/shm/jack_sem.<uid>_<server>_<client>``)
        when they close, not those of clients still connected when it stops (a client that
        outlives its server, as in the device-loss tests): once jackd is gone, they are
        nobody's."""
        for path in glob.glob(f"/dev/shm/jack_sem.{os.getuid()}_{glob.escape(self.name)}_*"):
            with contextlib.suppress(OSError):
                os.unlink(path)

    def __enter__(self) -> "JackServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _read_log(self) -> str:
        if self._log is None:
            return ""
        self._log.flush()
        self._log.seek(0)
        return self._log.read()

    # ------------------------------------------------------------------ patching

    def _run(self, args: list[str], *, check: bool = True, timeout_s: float = 5.0) -> subprocess.CompletedProcess:
        env = {**os.environ, **self.env}
        result = subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout_s)
        if check and result.returncode != 0:
            raise InputError(f"{' '.join(args)} failed ({result.returncode}): {result.stderr.strip() or result.stdout.strip()}")
        return result

    def ports(self, *patterns: str) -> list[str]:
        """Full names (``client:port``) of the ports whose names contain all ``patterns``."""
        return self._run(["jack_lsp", *patterns]).stdout.split("\n")[:-1]

    def connections(self) -> dict[str, list[str]]:
        """Every port and the ports it is connected to (from ``jack_lsp -c``)."""
        result: dict[str, list[str]] = {}
        current = None
        for line in self._run(["jack_lsp", "-c"]).stdout.splitlines():
            if not line.strip():
                continue
            if line[0].isspace():
                result[current].append(line.strip())
            else:
                current = line.strip()
                result[current] = []
        return result

    def connect(self, source: str, destination: str) -> None:
        """Connect output port ``source`` to input port ``destination``."""
        self._run(["jack_connect", source, destination])

    def disconnect(self, source: str, destination: str) -> None:
        """Remove the connection ``source`` → ``destination``."""
        self._run(["jack_disconnect", source, destination])
