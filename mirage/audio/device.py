"""Finding the audio device to use: PortAudio may be missing, or have no device at all."""

from __future__ import annotations

from dataclasses import dataclass

from mirage.errors import InputError


@dataclass
class AudioDevice:
    """One PortAudio device."""

    index: int
    name: str
    hostapi: str
    max_input_channels: int
    max_output_channels: int
    default_samplerate_hz: float
    default_input: bool = False
    default_output: bool = False


def portaudio():
    """The `sounddevice` module, or None with the reason when PortAudio cannot be loaded."""
    try:
        import sounddevice
    except OSError as exc:  # libportaudio2 missing
        return None, f"PortAudio is not available ({exc})"
    return sounddevice, ""


def _describe(sd, index: int) -> AudioDevice:
    info = sd.query_devices(index)
    return AudioDevice(index, info["name"], sd.query_hostapis(info["hostapi"])["name"],
                  int(info["max_input_channels"]), int(info["max_output_channels"]),
                  float(info["default_samplerate"]))


def find_device(sd, spec: str | None, *, need_input: int = 0, need_output: int = 0) -> AudioDevice | None:
    """The device named (substring, case-insensitive) or numbered by `spec`, else the default.

    Returns None when there is no device at all (or no default one) and `spec` is None;
    raises InputError when the device asked for does not exist or lacks the channels.
    """
    devices = sd.query_devices()
    if spec is None:
        kind = 0 if need_input else 1
        try:
            default = sd.default.device[kind]
        except (TypeError, IndexError):
            default = -1
        if default is None or default < 0:
            candidates = [i for i, d in enumerate(devices)
                          if d["max_input_channels"] >= need_input and d["max_output_channels"] >= need_output]
            if not candidates:
                return None
            default = candidates[0]
        device = _describe(sd, default)
    else:
        index = None
        if spec.strip().lstrip("-").isdigit():
            index = int(spec)
            if not 0 <= index < len(devices):
                raise InputError(f"--device {spec}: no audio device with that number (see `mirage devices`)")
        else:
            matches = [i for i, d in enumerate(devices) if spec.lower() in d["name"].lower()
                       and d["max_input_channels"] >= need_input and d["max_output_channels"] >= need_output]
            if not matches:
                raise InputError(f"--device {spec!r}: no audio device with that name and the channels needed "
                                 "(see `mirage devices`)")
            index = matches[0]
        device = _describe(sd, index)
    if device.max_input_channels < need_input:
        raise InputError(f"audio device {device.name!r} has {device.max_input_channels} input channel(s), "
                         f"{need_input} needed")
    if device.max_output_channels < need_output:
        raise InputError(f"audio device {device.name!r} has no output channels")
    return device
