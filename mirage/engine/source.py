"""What the engine analyses: the device's inputs, or a song held in memory and played."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mirage.audio.device import AudioDevice, find_device, portaudio
from mirage.channels import channel_columns
from mirage.errors import InputError, ParameterError

LIVE = "live"


@dataclass
class Source:
    """``playback`` None: the device inputs ``channel_map`` are the tracks (live); else
    ``playback[frames, tracks]`` is the song. ``device`` None: no audio device (clock)."""

    playback: np.ndarray | None
    channel_map: list[int]
    names: list[str]
    profiles_default: dict | None
    sr_hz: float
    device: AudioDevice | None
    play: bool
    label: str


def open_source(input_spec: str, *, device_spec: str | None, channels: str | None, clock: bool, play: bool,
                notice) -> Source:
    """Resolve ``--input`` (live / demo / PATH) and the device; InputError when impossible."""
    from mirage.audio_files import DEMO_SOURCE
    from mirage.load_audio import load_source

    sd, why_not = (None, "--clock asked for") if clock else portaudio()
    if input_spec == LIVE:
        if sd is None:
            raise InputError(f"live input needs an audio device: {why_not}")
        device = find_device(sd, device_spec, need_input=1)
        if device is None:
            raise InputError("live input needs an audio device: no audio input device found (see `mirage devices`)")
        columns = channel_columns(channels, device.max_input_channels)
        return Source(None, columns, [f"in{c + 1}" for c in columns], None, device.default_samplerate_hz, device,
                      False, f"live: {device.name}")
    if channels:
        raise ParameterError("--channels applies to --input live")
    device = None
    if sd is not None:
        device = find_device(sd, device_spec, need_output=1)
        if device is None:
            why_not = "no audio output device found"
    if device is None:
        notice(f"mirage: notice: {why_not}; running on a clock, nothing is played")
    audio, sr_hz, names = load_source([input_spec], sr_hz=device.default_samplerate_hz if device else None)
    default = None
    if input_spec == DEMO_SOURCE:
        from mirage.demo import STEM_PROFILES as default
    return Source(np.ascontiguousarray(audio.T), list(range(audio.shape[0])), names, default, sr_hz, device, play,
                  str(input_spec))
