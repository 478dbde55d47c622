"""One engine run: the source, the callback's graph, the stream, the emotion process and the
OSC writer, started and stopped in the right order, and what they measured.

The stream is a PortAudio `RawStream` on the source's device, or a `ClockDriver` when there
is none. `check()` is called periodically by the owner (the CLI's main loop): it drains the
callback's timing ring and raises `DeviceLostError` when the stream died or went silent.
Then the owner either exits, or lets go of the stream (`let_go_of_stream`) and later resumes
on the device found again (`resume_on`; see `mirage.engine.device_watch`).
"""

from __future__ import annotations

import logging
import time

import numpy as np

from mirage.engine.latency import LatencyLog
from mirage.engine.xrun_attribution import XrunAttribution
from mirage.errors import DeviceLostError

log = logging.getLogger("mirage.engine")

STALL_S = 2.0
EMOTION_STOP_S = 0.5
MIX_RING_SECONDS = 8.0


class Engine:
    """Build everything for `source`; `start`, then `check` periodically, then `close`."""

    def __init__(self, source, *, n_fft: int, hop: int, blocksize: int, pitch_ranges_hz, profiles: list[str],
                 hop_encoder, emotion_encoder, sender, emotion: bool, emotion_model=None,
                 emotion_smoothing_s: float = 0.0, loop: bool = False, shutdown=None,
                 max_tracks: int | None = None, input_channels: int | None = None, hold_at_end: bool = False,
                 rhythm_encoder=None, level_attack_ms: float | None = None, level_release_ms: float | None = None,
                 beat_encoder=None):
        """``shutdown`` (a `mirage.lifecycle.Shutdown`): deferred just before the first
        shared-memory segment is made, checked between the slow steps after it (a stop
        request raises `mirage.lifecycle.Interrupted` there); whatever was made is released.
        The analyzer's warm-up (a compile when numba's cache is cold) comes first, while a
        signal still ends the process at once.

        A setlist (`mirage.engine.rig_control`): ``max_tracks`` (its largest song),
        ``input_channels`` (live: device inputs to open, for every song's channels) and
        ``hold_at_end`` (a song's end leaves the stream running, silent) let songs be staged
        while the stream runs; ``source`` is the first song. ``rhythm_encoder`` (a
        `mirage.osc.track_rhythm_encoder.TrackRhythmEncoder`): compute the per-track rhythm
        layer in the callback and send it (``--rhythm``); None: neither. ``beat_encoder`` (a
        `mirage.osc.beat_encoder.BeatEncoder`, ``--rhythm`` too): the beat stage taps the mix
        ring (made for it when the emotion model is off) and the writer sends its tempo, phase
        and beats."""
        from mirage.engine.callback import engine_callback
        from mirage.engine.graph import EngineGraph
        from mirage.engine.osc_writer import OscWriter

        self.source, self.profiles, self.sender, self.blocksize = source, profiles, sender, blocksize
        self.callback_log = LatencyLog()
        self.xrun_times_s: list[float] = []
        self.xrun_causes = XrunAttribution(source.sr_hz)  # which xruns followed an overrun of ours
        self.mix_ring = self.emotion = self.stream = self.graph = self.beat_stage = None
        self.device_watch = None   # a mirage.engine.device_watch.DeviceWatch, set by the owner
        self._dead_streams = []    # streams of a lost device: never called again
        self._stream_started_s = None
        self.started_s = None
        self._stop_requested = shutdown.event if shutdown is not None else None
        checkpoint = shutdown.checkpoint if shutdown is not None else (lambda: None)
        try:
            self.graph = EngineGraph(n_tracks=len(source.names), sr_hz=source.sr_hz, n_fft=n_fft, hop=hop,
                                     pitch_ranges_hz=pitch_ranges_hz, channel_map=source.channel_map,
                                     playback=source.playback, max_block=max(8 * blocksize, 4096),
                                     loop=loop, output_gain=1.0 if source.play else 0.0,
                                     max_tracks=max_tracks, hold_at_end=hold_at_end,
                                     rhythm=rhythm_encoder is not None,
                                     **({} if level_attack_ms is None else {"level_attack_ms": level_attack_ms}),
                                     **({} if level_release_ms is None else {"level_release_ms": level_release_ms}))
            self.input_channels = input_channels
            self._callback = engine_callback()
            if shutdown is not None:
                shutdown.defer()
            checkpoint()
            rhythm = beat_encoder is not None
            if emotion or rhythm:
                from kernels.ring import Ring, capacity_for

                hops = MIX_RING_SECONDS * source.sr_hz / hop
                self.mix_ring = Ring.create(capacity_for(max(4.0, hops)), (hop,), np.float32,
                                            shared=True)
                self.graph.attach_mix_ring(self.mix_ring)
            if rhythm:
                from mirage.engine.beat_stage import BeatStage

                self.beat_stage = BeatStage(self.mix_ring, source.sr_hz, hop)
            if emotion:
                from mirage.emotion.worker import EmotionSupervisor

                loop_samples = source.playback.shape[0] if loop and source.playback is not None else 0
                self.emotion = EmotionSupervisor(self.mix_ring.spec, source.sr_hz, model_path=emotion_model,
                                                 smoothing_s=emotion_smoothing_s, loop_samples=loop_samples)
                self.emotion.spawn()  # its start-up overlaps the rest of the engine's and the stream's
                checkpoint()
            self.writer = OscWriter(self.graph, hop_encoder, sender, emotion=self.emotion,
                                    emotion_encoder=emotion_encoder, rhythm_encoder=rhythm_encoder,
                                    beat_stage=self.beat_stage, beat_encoder=beat_encoder)
            self.residency = self.graph.keep_resident()
            if self.residency.touched_bytes:
                log.info("%s", self.residency.describe())
        except BaseException:  # shared memory outlives the process unless unlinked
            self._release()
            raise

    def start(self, stop=None) -> bool:
        """Start the OSC writer, the stream, then wait for the emotion process (spawned at
        construction) to be ready; False if the event ``stop`` was set while waiting for it
        (the caller then closes the engine)."""
        from mirage.engine.clock_driver import ClockDriver

        if self.beat_stage is not None:
            self.beat_stage.start()
        self.writer.start()
        source = self.source
        if source.device is None:
            self.stream = ClockDriver(self._callback, self.graph.table, samplerate=source.sr_hz,
                                      blocksize=self.blocksize)
        else:
            self.stream = self._open_stream(source.device.index)
        self.started_s = self._stream_started_s = time.monotonic()
        self.stream.start()
        if self.emotion is not None:
            # After the stream, not before: the features need not wait for the mood model's
            # start-up (~1-2 s). The worker reads the mix ring from its first hop (8 s deep),
            # so its results are the same whenever it becomes ready.
            self.emotion.start(stop=stop)
        return not (stop is not None and stop.is_set())

    def _open_stream(self, device_index: int):
        from mirage.audio.raw_stream import RawStream

        source = self.source
        ch_in = (self.input_channels or max(source.channel_map) + 1) if source.playback is None else 0
        ch_out = 0 if source.playback is None else min(2, source.device.max_output_channels)
        return RawStream(device_index, int(source.sr_hz), self.blocksize, ch_in, ch_out,
                         self._callback, self.graph.table)

    # -- a lost device (see mirage.engine.device_watch) ----------------------------------------
    def let_go_of_stream(self) -> None:
        """The device went away: collect the last timings, then never call the stream again
        (PortAudio cannot stop or close a stream whose JACK server died; the caller decides
        what to do with the PortAudio instance)."""
        self._collect_timing()
        self._dead_streams.append(self.stream)  # an abandoned PortAudio may still point into it
        self.stream = None

    def resume_on(self, device_index: int) -> None:
        """Open and start a new stream on ``device_index`` (the same device, found again by
        name) after a gap: the framing restarts on a new grid (no frame mixes audio from
        both sides of the gap), the hop index goes on, the emotion clock moves over the gap
        (`EngineGraph.restart_after_gap`). Raises PortAudioError if it cannot be opened."""
        stream = self._open_stream(device_index)
        self.graph.restart_after_gap(time.monotonic_ns())
        self._stream_started_s = time.monotonic()
        try:
            stream.start()
        except BaseException:  # a client that never ran: closing it cannot hang
            stream.close()
            raise
        self.stream = stream

    @property
    def finished(self) -> bool:
        return self.graph.finished

    def check(self) -> None:
        """Collect the callback's timings; DeviceLostError if the stream died or stalled."""
        if self.stream is None:  # not started, or the device is lost
            return
        self._collect_timing()
        if self.graph.finished:
            return
        if not self.stream.active:
            raise DeviceLostError("the audio stream stopped unexpectedly (device lost?)")
        if self.source.device is not None and self.counters()["callbacks"] and \
                time.monotonic() - self._stream_started_s > STALL_S:
            from mirage.audio.state_table_layout import S_LAST_START_NS

            since_ns = time.monotonic_ns() - int(self.graph.table.stats[S_LAST_START_NS])
            if since_ns > STALL_S * 1e9:
                raise DeviceLostError(f"no audio callback for {since_ns / 1e9:.1f} s (device lost?)")

    def request_emotion_reset(self) -> None:
        """A new mood context from the hop the callback is capturing now (the control's
        emotion reset: a new song)."""
        if self.emotion is None:
            log.info("emotion reset ignored: the emotion model is off")
            return
        self.emotion.request_reset(at_hop=self.mix_ring.written)

    def request_beat_reset(self) -> None:
        """A new song: the beat tracker forgets the last song's tempo from the hop the callback
        is capturing now (no-op without ``--rhythm``)."""
        if self.beat_stage is not None:
            self.beat_stage.request_reset(self.mix_ring.written)

    def let_emotion_finish(self, timeout_s: float = 10.0, stop=None) -> None:
        """At the end of a song, wait until the emotion worker has read the last of the mix and
        published its results (the OSC writer sends them in its last drain, in `close`).
        A condition, not a guess: on a loaded machine the last step still goes out. The
        timeout only bounds a worker that hangs (one that dies is restarted meanwhile); the
        event ``stop`` (Ctrl-C) ends the wait at once."""
        if self.emotion is None or self.emotion.failed:
            return
        deadline = time.monotonic() + timeout_s
        while self.emotion.hops_done < self.mix_ring.written and time.monotonic() < deadline:
            if self.emotion.failed or (stop is not None and stop.is_set()):
                return
            time.sleep(0.01)

    def _collect_timing(self) -> None:
        """Callback durations into the log; the times (s since the first callback) of the first
        100 callbacks PortAudio flagged with an xrun, to tell start-up glitches from later ones;
        which of them followed a callback over its block (`mirage.engine.xrun_attribution`)."""
        from mirage.audio.portaudio_codes import PA_XRUN_MASK
        from mirage.audio.state_table_layout import T_DURATION_NS, T_FRAMES, T_START_NS, T_STATUS

        timing = self.graph.table.drain_timing()  # the table outlives a lost stream
        self.callback_log.extend(timing[:, T_DURATION_NS])
        flagged = (timing[:, T_STATUS] & PA_XRUN_MASK) != 0
        self.xrun_causes.add(timing[:, T_DURATION_NS], timing[:, T_FRAMES], flagged)
        for row in timing[flagged][: 100 - len(self.xrun_times_s)]:
            self.xrun_times_s.append(round((int(row[T_START_NS]) - self.graph.first_callback_ns) / 1e9, 3))

    def counters(self) -> dict:
        return self.graph.table.counters()

    def xruns(self) -> int:
        return self.writer.counts()[0]

    def dropped(self) -> int:
        return self.writer.counts()[1]

    def snapshot(self, osc_profile: str):
        """What the status display shows now."""
        from mirage.engine.status_snapshot import EngineSnapshot

        cb, hs = self.callback_log.summary_us(), self.writer.hop_to_send.summary_us()
        return EngineSnapshot(
            elapsed_s=time.monotonic() - self.started_s, sr_hz=self.graph.sr_hz, source=self.source.label,
            track_names=list(self.source.names), profiles=list(self.profiles),
            levels=self.graph.take_levels()[:len(self.source.names)],
            features=self.writer.latest_features, emotion=self.writer.latest_emotion,
            rhythm=self.writer.take_rhythm(),
            callbacks=self.counters()["callbacks"], xruns=self.xruns(), dropped_frames=self.dropped(),
            osc_errors=self.sender.errors, emotion_restarts=self.emotion.restarts if self.emotion else 0,
            callback_p99_us=cb["p99"] if cb else None, hop_to_send_p99_us=hs["p99"] if hs else None,
            osc_targets=[s.target for s in self.sender.stats], osc_profile=osc_profile,
            emotion_resets=self.emotion.resets_applied if self.emotion else 0,
            tempo=self._tempo_now(),
            **(self.device_watch.snapshot_fields() if self.device_watch is not None else {}),
        )

    def _tempo_now(self):
        r = self.writer.latest_tempo if self.beat_stage is not None else None
        return None if r is None else (r.bpm, r.confidence, r.phase)

    def stats(self) -> dict:
        """The run's statistics (`mirage run --stats-json`)."""
        return {
            "tracks": self.graph.n_tracks,
            "callbacks": self.counters()["callbacks"],
            "xruns": self.xruns(),
            "dropped_frames": self.dropped(),
            "callback_us": self.callback_log.summary_us(),
            "hop_to_send_us": self.writer.hop_to_send.summary_us(),
            "hops_sent": self.writer.hops_sent,
            "hops_paused": self.writer.hops_paused,
            "emotion_sent": self.writer.emotion_sent,
            "emotion_restarts": self.emotion.restarts if self.emotion else 0,
            "emotion_resets": self.emotion.resets_applied if self.emotion else 0,
            "osc_errors": self.sender.errors,
            "nonfinite_samples": self.graph.nonfinite_samples,
            "xrun_times_s": self.xrun_times_s,
            "xruns_after_overrun": self.xrun_causes.after_overrun,
            "callback_memory": {"locked_bytes": self.residency.locked_bytes,
                                "touched_bytes": self.residency.touched_bytes},
            "sr_hz": self.graph.sr_hz,
            "blocksize": self.blocksize,
            "source": self.source.label,
            "clock_driven": self.source.device is None,
            "osc_writer_scheduling": self.writer.scheduling,
            **({"rhythm_hops_sent": self.writer.rhythm_hops_sent, "beats_sent": self.writer.beats_sent,
                "rhythm_hops_lost": self.beat_stage.hops_lost} if self.beat_stage is not None else {}),
            **(self.device_watch.stats() if self.device_watch is not None else {}),
        }

    def close(self) -> dict | None:
        """Stop everything, in order: stream, writer (last drain), emotion process, rings.
        A lost device's stream is not touched (see `let_go_of_stream`).

        Returns the final `stats` (zeros if it was stopped before the stream started).
        """
        started = self.started_s is not None
        final = None
        try:
            if self.stream is not None and self.source.device is not None and not self.stream.active \
                    and not self.graph.finished:  # died, and nobody let go of it: stopping it could hang
                from mirage.engine.device_watch import release_portaudio

                stream = self.stream
                self.let_go_of_stream()
                release_portaudio(stream, self.source.device.hostapi, reload=False)
            if self.stream is not None:
                self.stream.stop()
                self.stream.close()
            if self.device_watch is not None:
                self.device_watch.close()
            if started:
                self._collect_timing()
            if self.beat_stage is not None:
                self.beat_stage.stop()  # its last step tracks the last hops, before the writer's last drain
            if started:  # a run's normal end (--duration too): the mood of all the audio played goes out
                self.let_emotion_finish(stop=self._stop_requested)
            self.writer.stop()  # its last drain forwards the emotion's last results
            final = self.stats()
        finally:
            self._release()
        return final

    def _release(self) -> None:
        """Free what outlives the process unless freed: the emotion process and its result
        ring, the graph's rings, the shared mix ring (each once). A second Ctrl-C does not
        cut it in half (`mirage.lifecycle.Shutdown.releasing`)."""
        from mirage.lifecycle import SHUTDOWN

        with SHUTDOWN.releasing():
            emotion, self.emotion = self.emotion, None
            if emotion is not None:  # it holds nothing that needs its clean exit: a starved one is killed
                emotion.stop(timeout_s=EMOTION_STOP_S)
            graph, self.graph = self.graph, None
            if graph is not None:
                graph.close()
            ring, self.mix_ring = self.mix_ring, None
            if ring is not None:
                ring.close()
                ring.unlink()
