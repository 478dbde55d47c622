"""What the engine shows of itself: the `EngineSnapshot` the status display is handed.

The contract between the engine (`mirage.engine.engine.Engine.snapshot`, about ten times a
second, main thread) and the display (`mirage.engine.status_display.StatusDisplay`). Plain
data: the display tolerates odd values in every field (NaN, ±inf, None, arrays of the wrong
shape), so the engine never has to check them first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["EngineSnapshot"]


@dataclass
class EngineSnapshot:
    """What the engine shows of itself, about ten times a second.

    Attributes
    ----------
    elapsed_s : float
        Seconds since the engine started.
    sr_hz : float
        Sample rate.
    source : str
        What it listens to: ``"demo"``, ``"live: device 3"``, a file path.
    track_names, profiles : list of str
        One name and one instrument profile per track.
    levels : np.ndarray, float32 [C]
        Peak ``|sample|`` per track since the previous snapshot (linear, 1.0 = full scale).
    features : np.ndarray, float32 [C, 8] or None
        The latest feature vector per track (layout: `kernels.layout`); None before the
        first hop.
    emotion : (float, float) or None
        ``(arousal, valence)`` in [−1, 1]; None before the first emotion step.
    callbacks, xruns, dropped_frames, osc_errors, emotion_restarts : int
        Counters since start.
    emotion_resets : int
        Mood context resets served (control input: a new song).
    device_losses : int
        Times the audio device went away; ``device_lost``: it is away now (retrying).
    callback_p99_us, hop_to_send_p99_us : float or None
        Latency percentiles in microseconds; None while not measured yet.
    osc_targets : list of str
        OSC destinations, ``"host:port"``.
    osc_profile : str
        OSC address profile (``"readme"`` or ``"mirage-code"``).
    control_bad : int or None
        Bad control input so far (`mirage.control.bad_input`); None without a control input.
    transport_running : bool or None
        False while the control's transport is stopped (nothing sent); None without a control input.
    rhythm : np.ndarray, float32 [C, N_RHYTHM] or None
        ``--rhythm``: the latest per-track rhythm values (`kernels.rhythm_layout`), the onset
        column holding the strongest onset since the previous snapshot; None without ``--rhythm``
        or before the first hop.
    tempo : (float, float, float) or None
        ``--rhythm``: the latest ``(bpm, confidence, phase)`` sent; None otherwise.
    """

    elapsed_s: float
    sr_hz: float
    source: str
    track_names: list[str]
    profiles: list[str]
    levels: np.ndarray
    features: np.ndarray | None
    emotion: tuple[float, float] | None
    callbacks: int
    xruns: int
    dropped_frames: int
    osc_errors: int
    emotion_restarts: int
    callback_p99_us: float | None
    hop_to_send_p99_us: float | None
    osc_targets: list[str] = field(default_factory=list)
    osc_profile: str = "readme"
    emotion_resets: int = 0
    device_losses: int = 0
    device_lost: bool = False
    control_bad: int | None = None
    transport_running: bool | None = None
    rhythm: np.ndarray | None = None
    tempo: tuple[float, float, float] | None = None
