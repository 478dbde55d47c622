"""The emotion worker: a spawned process from the mono-mix ring to the result ring.

::

    callback ──mix ring: float32[hop_samples] per hop──► worker process (spawn)
                                                        EmotionFeatures → EmotionModel
    OSC writer ◄──result ring: float64[3] per 0.5 s step── (arousal, valence, capture_time_s)

The worker is the mix ring's only consumer and the result ring's only producer (both
`kernels.ring` SPSC rings in shared memory). Every 0.5 s of audio it publishes
``(arousal, valence, capture_time_s)`` where ``capture_time_s = t0_s + n / sr_hz`` and ``n``
is the absolute index of the step's last sample (``ring.read · hop_samples`` counts every
hop ever consumed or skipped, so a restarted worker keeps the clock). After an overrun
(records dropped) or a restart the feature context restarts at the current hop.

Context reset (a new song in a live set): the features remember the mix for minutes (the
running mean, ``RUNNING_CONTEXT_S``), so the first minute of a song would be read against the
previous one. :meth:`EmotionSupervisor.request_reset` (from any thread of the parent; the
``/mirage/emotion/reset`` control message) stores the absolute hop index where the new
context starts (the engine passes the hop the callback is capturing when the command
arrives; none = the next hop the worker reads), then increments a shared request counter.
Before reading each hop the worker compares the counter with the last one it served and, once
its read position reaches that hop (at once if it is already past it), starts a new context
there — exactly as if the mix began there (features, running mean, smoothing; the capture
clock continues) — and publishes the counter it served (``resets_applied``). A newer request
replaces a pending one.

A looping song (``loop_samples`` = its length) gets the same new context at every pass: before
reading the first hop that starts at or after sample ``n · loop_samples``; when the length is
a whole number of hops every pass reads exactly like the first.

Optional causal smoothing (`mirage.emotion.smoothing`, the same as offline): exponential
with time constant ``smoothing_s``, initialised from the first prediction after (re)start or a
new context — never from zeros.

:class:`EmotionSupervisor` (in the parent) validates a user's model before anything starts
(missing/corrupt → :class:`~mirage.errors.InputError`; the shipped model is only checked to
exist, so the parent never imports onnxruntime for it), spawns the worker, and ``poll()``
(or its monitor thread) restarts a dead worker, logging and counting restarts. A worker
that exits with ``EXIT_BAD_INPUT`` is not restarted (the error would repeat).
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import sys
import threading
import time
from dataclasses import dataclass

import numpy as np

from mirage.errors import EXIT_BAD_INPUT, InputError, MirageError
from mirage.lifecycle import signals_blocked

log = logging.getLogger("mirage.emotion")

RESULT_FIELDS = ("arousal", "valence", "capture_time_s")
IDLE_SLEEP_S = 0.002
_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


@dataclass(frozen=True)
class WorkerConfig:
    """Everything the spawned worker needs (picklable)."""

    mix_spec: object              # kernels.ring.RingSpec, records float32[hop_samples]
    result_spec: object           # kernels.ring.RingSpec, records float64[3]
    sr_hz: float
    t0_s: float = 0.0             # capture time of mix sample 0
    model_path: str | None = None
    smoothing_s: float = 0.0
    loop_samples: int = 0         # > 0: the mix is a song of this length, looping


def worker_main(cfg: WorkerConfig, ready, stop, reset_requested, reset_applied, reset_at_hop, hops_done) -> None:
    """Entry point of the spawned process (returns on ``stop`` or when the parent dies).

    ``reset_requested`` / ``reset_applied``: shared int64 counters, ``reset_at_hop`` the hop
    index of the pending request (−1: the next one read). The parent writes ``reset_at_hop``
    before ``reset_requested``, this process reads them in the opposite order (x86-64 keeps
    stores in order and loads in order, and each aligned 8-byte access is atomic); a stale
    read only delays a reset by one hop.

    ``hops_done``: shared int64, the mix hop count up to which every result has been pushed
    (stored after the push, so a parent that reads it, then pops, gets those results).

    Ctrl-C in a terminal signals the whole process group: the worker ignores SIGINT and
    SIGTERM, the parent owns the shutdown (it sets ``stop``), so no traceback and no restart
    on the way out. The parent starts this process with both signals blocked
    (`mirage.lifecycle.signals_blocked`), so this holds from its first instruction, through
    the imports that ran before this function.
    """
    from mirage.lifecycle import ignore_stop_signals

    ignore_stop_signals()
    from kernels.ring import Ring
    from mirage.emotion.features import EmotionFeatures
    from mirage.emotion.model import EmotionModel
    from mirage.emotion.smoothing import MoodSmoother

    try:
        model = EmotionModel(cfg.model_path)
    except MirageError as exc:
        print(f"mirage emotion worker: {exc}", file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)
    mix = Ring.attach(cfg.mix_spec)
    res = Ring.attach(cfg.result_spec)
    hop = int(np.prod(mix.record_shape))
    record = np.zeros(mix.record_shape, mix.dtype)
    out = np.zeros(3, np.float64)
    feats = EmotionFeatures(cfg.sr_hz)
    smoother = MoodSmoother(cfg.smoothing_s)
    parent = os.getppid()
    served = reset_requested.value  # a (re)started worker begins with a new context anyway
    reset_applied.value = served
    hops_done.value = mix.read
    ready.set()
    base = mix.read * hop        # absolute sample index of the extractor's sample 0
    dropped = mix.dropped
    loop = cfg.loop_samples
    next_pass = (base // loop + 1) * loop if loop > 0 else None  # first sample of the next pass
    pending = None               # hop index where a requested new context starts
    while not stop.is_set():
        new_context = False
        if reset_requested.value != served:
            served = reset_requested.value
            pending = reset_at_hop.value
        if pending is not None and mix.read >= pending:  # a new context from this hop on
            pending = None
            reset_applied.value = served
            new_context = True
        if next_pass is not None and mix.read * hop >= next_pass:
            next_pass = (mix.read * hop // loop + 1) * loop
            new_context = True
        if new_context:
            base = mix.read * hop
            feats.reset()
            smoother.reset()
        if not mix.pop(record):
            if os.getppid() != parent:
                break
            time.sleep(IDLE_SLEEP_S)
            continue
        if mix.dropped != dropped:  # overrun: the audio has a gap, restart the context
            dropped = mix.dropped
            base = (mix.read - 1) * hop
            feats.reset()
            smoother.reset()
        F, T = feats.push(record.reshape(-1))
        for j in range(F.shape[0]):
            out[:2] = smoother.update(np.array(model.predict(F[j])))
            out[2] = cfg.t0_s + base / cfg.sr_hz + T[j]
            res.push(out)
        hops_done.value = mix.read
    mix.close()
    res.close()
    if mp.parent_process() is not None:
        # In the spawned process nothing needs the interpreter's finalisation (the rings and
        # events belong to the parent), which takes about a second with onnxruntime and
        # numba loaded: the parent's shutdown would wait for it.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


class EmotionSupervisor:
    """Runs the worker in a spawned process and restarts it when it dies.

    Parameters
    ----------
    mix_spec : kernels.ring.RingSpec
        The shared mono-mix ring (records float32[hop_samples]) written by the callback.
    sr_hz : float
        Sample rate of the mix.
    model_path : path or None
        ONNX model (default: the shipped int8 model, only checked to exist). Validated here,
        before the worker starts: a missing or corrupt file raises InputError (the CLI exits 2).
    smoothing_s : float
        Causal exponential smoothing time constant (0 = off).
    loop_samples : int
        Length of a looping song in samples (0: not looping): a new context at every pass.
    t0_s : float
        Capture time of the mix ring's sample 0 (the engine's clock).
    """

    def __init__(self, mix_spec, sr_hz: float, *, model_path=None, smoothing_s: float = 0.0,
                 t0_s: float = 0.0, loop_samples: int = 0, result_capacity: int = 64):
        from kernels.ring import Ring
        from mirage.emotion.model import DEFAULT_MODEL, EmotionModel
        from mirage.emotion.smoothing import MoodSmoother

        MoodSmoother(smoothing_s)  # a bad time constant: ParameterError here, not in the child
        if model_path is not None:
            EmotionModel(model_path)  # a user's file: InputError now rather than in the child
        elif not DEFAULT_MODEL.is_file():
            # The shipped model is tested with the package; loading it here as well would put
            # onnxruntime's import (~1 s) on the way to the first datagram, for the child only.
            raise InputError(f"emotion model not found: {DEFAULT_MODEL}")
        self.results_ring = Ring.create(result_capacity, (3,), np.float64, shared=True)
        self.config = WorkerConfig(mix_spec, self.results_ring.spec, float(sr_hz), float(t0_s),
                                   None if model_path is None else str(model_path),
                                   float(smoothing_s), int(loop_samples))
        self._ctx = mp.get_context("spawn")
        self._stop = self._ctx.Event()
        self._ready = self._ctx.Event()
        self.process = None
        self.restarts = 0
        self.last_restart_s = None
        self.failed = False
        self._lock = threading.Lock()
        self._monitor = None
        self._monitor_stop = threading.Event()
        self._out = np.zeros(3, np.float64)
        self._reset_requested = self._ctx.RawValue("q", 0)
        self._reset_applied = self._ctx.RawValue("q", 0)
        self._reset_at_hop = self._ctx.RawValue("q", -1)
        self._hops_done = self._ctx.RawValue("q", 0)
        self._reset_lock = threading.Lock()  # parent threads only; the worker never waits on it

    # -- lifecycle -------------------------------------------------------------------------
    def spawn(self) -> None:
        """Spawn the worker now, without waiting for it.

        Its start-up (a fresh interpreter, numpy, onnxruntime, the model: ~1-2 s of CPU) then
        runs while the caller builds the rest of the engine, on the other core, instead of
        after it; `start` only waits until it is ready. `stop` ends it either way.
        """
        if self.process is None:
            self._spawn()

    def start(self, *, monitor: bool = True, wait_s: float = 10.0, stop=None) -> None:
        """Spawn the worker unless `spawn` did, start a monitor thread that restarts it within
        ~50 ms, and wait until it is ready, at most ``wait_s`` — or until the event ``stop``
        is set (Ctrl-C during start-up: the caller then stops it)."""
        if self.process is None:
            self._spawn()
        deadline = time.monotonic() + wait_s
        while not self._ready.wait(0.05):
            if stop is not None and stop.is_set():
                return
            if time.monotonic() > deadline:
                log.warning("emotion worker not ready after %.1f s", wait_s)
                break
        if monitor:
            self._monitor = threading.Thread(target=self._watch, name="emotion-supervisor",
                                             daemon=True)
            self._monitor.start()

    def _spawn(self) -> None:
        self._ready.clear()
        self.process = self._ctx.Process(target=worker_main, name="mirage-emotion",
                                         args=(self.config, self._ready, self._stop,
                                               self._reset_requested, self._reset_applied,
                                               self._reset_at_hop, self._hops_done),
                                         daemon=True)
        # the child inherits the environment: one BLAS/OpenMP thread (multi-threaded BLAS
        # spin-waits cost 3x on a busy 2-core machine for these tiny matrix products)
        saved = {k: os.environ.get(k) for k in _THREAD_VARS}
        os.environ.update({k: "1" for k in _THREAD_VARS})
        try:
            with signals_blocked():  # the child must never see Ctrl-C (see worker_main)
                self.process.start()
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v

    def poll(self) -> bool:
        """Restart the worker if it died; True if a restart happened."""
        with self._lock:
            p = self.process
            if p is None or self.failed or self._stop.is_set() or p.is_alive():
                return False
            code = p.exitcode
            if code == EXIT_BAD_INPUT:
                self.failed = True
                log.error("emotion worker exited with code %d (bad model); not restarting", code)
                return False
            t0 = time.monotonic()
            self.restarts += 1
            log.warning("emotion worker died (exit code %s); restart #%d", code, self.restarts)
            self._spawn()
        ok = self._ready.wait(10.0)
        self.last_restart_s = time.monotonic() - t0
        log.info("emotion worker restarted in %.2f s (ready=%s)", self.last_restart_s, ok)
        return True

    def _watch(self) -> None:
        while not self._monitor_stop.wait(0.05):
            self.poll()

    def stop(self, timeout_s: float = 2.0) -> None:
        """Stop the worker (and the monitor) and free the result ring."""
        self._monitor_stop.set()
        if self._monitor is not None:
            self._monitor.join(timeout_s)
        self._stop.set()
        if self.process is not None:
            if self._ready.is_set():  # else it is still importing: nothing of it to keep
                self.process.join(timeout_s)
            if self.process.is_alive():
                self.process.kill()
                self.process.join(timeout_s)
        self.results_ring.close()
        self.results_ring.unlink()

    # -- context reset ----------------------------------------------------------------------
    def request_reset(self, at_hop: int | None = None) -> int:
        """Ask the worker to start a new context (a new song) at mix hop ``at_hop`` (absolute
        index; None: the next hop it reads); returns the number of requests so far. Never
        blocks on the worker."""
        with self._reset_lock:
            self._reset_at_hop.value = -1 if at_hop is None else int(at_hop)
            self._reset_requested.value += 1
            n = self._reset_requested.value
        log.info("emotion context reset requested (#%d)", n)
        return n

    @property
    def hops_done(self) -> int:
        """Mix hops the worker has read and published every result of (absolute count): once
        it equals the ring's ``written``, every step of the audio so far is in the result ring."""
        return int(self._hops_done.value)

    @property
    def resets_requested(self) -> int:
        return int(self._reset_requested.value)

    @property
    def resets_applied(self) -> int:
        """The request count the worker last served (== ``resets_requested`` once done)."""
        return int(self._reset_applied.value)

    # -- consumer side (the OSC writer) ----------------------------------------------------
    def pop_result(self) -> tuple[float, float, float] | None:
        """Oldest unread (arousal, valence, capture_time_s), or None."""
        if self.results_ring.pop(self._out):
            return float(self._out[0]), float(self._out[1]), float(self._out[2])
        return None

    @property
    def pid(self) -> int | None:
        return None if self.process is None else self.process.pid
