"""What `mirage run` does when its audio device goes away: keep running, retry, resume.

A show must not end because a JACK server was restarted or a USB interface was unplugged
for a moment. When the engine's stream dies (`Engine.check` raises `DeviceLostError`):

1. one line on stderr; the OSC writer sends ``/mirage/status`` at once with the state
   ``"lost"`` (then every second); the process, the OSC sender, the control inputs and the
   emotion worker keep running (the worker simply gets no new audio);
2. the dead stream is never called again. On JACK its PortAudio instance is abandoned and a
   fresh one loaded (`mirage.audio.portaudio_reload`: stopping, closing or terminating it
   would hang or abort the process); on other host APIs it is aborted and closed, bounded in
   time (abandoned too if that hangs);
3. about once a second, PortAudio rescans the devices and the same device is looked up *by
   name* in the same host API (indices change when devices come and go), and a new stream
   is opened on the same state table;
4. analysis resumes with the next callback (`Engine.resume_on`: the framing restarts on a new
   grid, the hop index goes on); one line says so with the time it took, and
   ``/mirage/status`` says ``"running"``.

Counted: ``device_losses`` and ``recovery_s`` (seconds from each loss to the resumed stream)
in ``--stats-json`` and the status display. ``mirage run --exit-on-device-loss`` keeps the
old behaviour for scripts: one line and exit code 3.
"""

from __future__ import annotations

import logging
import threading
import time

from mirage.audio.portaudio_reload import (
    JACK_HOSTAPI_NAME, abandon, abandon_and_reload, jack_server_answers, make_exit_safe, refresh,
)
from mirage.engine.osc_writer import DEVICE_LOST, DEVICE_RUNNING
from mirage.errors import MirageError

log = logging.getLogger("mirage.device")

RETRY_PERIOD_S = 1.0
CLOSE_TIMEOUT_S = 1.0


def find_again(device) -> int | None:
    """The current index of the device named ``device.name`` in host API ``device.hostapi``
    with at least the channels it had, or None while it is absent."""
    import sounddevice as sd

    for index, info in enumerate(sd.query_devices()):
        if info["name"] == device.name and sd.query_hostapis(info["hostapi"])["name"] == device.hostapi \
                and info["max_input_channels"] >= device.max_input_channels \
                and info["max_output_channels"] >= device.max_output_channels:
            return index
    return None


def release_portaudio(stream, hostapi: str, *, reload: bool) -> None:
    """Let go of the PortAudio instance that ran ``stream`` (whose device is gone) so that
    nothing — not even the exit handler — blocks or aborts on it; ``reload``: and load a
    fresh instance to rescan the devices with."""
    import sounddevice as sd

    # A JACK server that still answers (the stream only stalled) gets its client closed, so
    # that a late callback of the old stream can never run beside the new one.
    if (hostapi != JACK_HOSTAPI_NAME or jack_server_answers()) and _closed_in_time(stream):
        return
    if reload:
        try:
            abandon_and_reload()
            return
        except (MirageError, OSError, sd.PortAudioError) as exc:  # the next retry tries again (`refresh`)
            log.warning("no fresh PortAudio instance yet: %s", exc)
    abandon()


def _closed_in_time(stream) -> bool:
    """Abort and close ``stream`` on a helper thread; False if that did not end in time."""
    done = threading.Event()

    def close():
        try:
            stream.stream.abort(ignore_errors=True)
            stream.stream.close(ignore_errors=True)
        finally:
            done.set()

    threading.Thread(target=close, name="mirage-close-lost-stream", daemon=True).start()
    return done.wait(CLOSE_TIMEOUT_S)


class DeviceWatch:
    """The audio device's state for one engine run: running, lost (retrying), running again.

    Call `lost` with the `DeviceLostError` the engine raised, then `poll` periodically
    (each call tries at most once per ``retry_period_s``) until it returns True.
    """

    def __init__(self, engine, *, retry_period_s: float = RETRY_PERIOD_S):
        self.engine = engine
        self.device = engine.source.device
        self.retry_period_s = retry_period_s
        self.losses = 0
        self.recovery_s: list[float] = []
        self.lost_since_s: float | None = None
        self._next_try_s = 0.0
        self._last_failure = None

    @property
    def is_lost(self) -> bool:
        return self.lost_since_s is not None

    def lost(self, error, *, retry: bool = True) -> None:
        """The stream died: let go of it; ``retry``: say so and start retrying (else the
        process is about to exit with ``error``, which the CLI prints)."""
        self.losses += 1
        self.lost_since_s = time.monotonic()
        self._next_try_s = self.lost_since_s + self.retry_period_s
        self._last_failure = None
        if retry:
            log.warning("audio device %r lost: %s; OSC and the emotion worker keep running, retrying every %g s",
                        self.device.name, error, self.retry_period_s)
        self.engine.writer.set_device_state(DEVICE_LOST, self.losses)
        stream = self.engine.stream
        self.engine.let_go_of_stream()
        release_portaudio(stream, self.device.hostapi, reload=retry)

    def poll(self) -> bool:
        """Try to resume if a retry is due; True once the stream runs again."""
        if not self.is_lost:
            return True
        now_s = time.monotonic()
        if now_s < self._next_try_s:
            return False
        self._next_try_s = now_s + self.retry_period_s
        import sounddevice as sd

        try:
            refresh()
            index = find_again(self.device)
            if index is None:
                return False
            self.engine.resume_on(index)
        except (sd.PortAudioError, MirageError, OSError, ValueError) as exc:
            reason = str(exc)
            if reason != self._last_failure:  # one line per new reason, not one per second
                log.warning("audio device %r is back but cannot be opened yet: %s", self.device.name, reason)
                self._last_failure = reason
            return False
        recovery_s = time.monotonic() - self.lost_since_s
        self.recovery_s.append(round(recovery_s, 3))
        self.lost_since_s = None
        self.engine.writer.set_device_state(DEVICE_RUNNING, self.losses)
        log.info("audio device %r back after %.1f s; analysis resumed", self.device.name, recovery_s)
        return True

    def close(self) -> None:
        """At the end of the run: if the device is still away, make sure the exit does not
        touch a PortAudio instance whose JACK server went away since the last retry."""
        if self.is_lost:
            make_exit_safe()

    def stats(self) -> dict:
        """For ``--stats-json``."""
        return {"device_losses": self.losses, "recovery_s": list(self.recovery_s)}

    def snapshot_fields(self) -> dict:
        """For the status display (`mirage.engine.status_snapshot.EngineSnapshot`)."""
        return {"device_losses": self.losses, "device_lost": self.is_lost}
