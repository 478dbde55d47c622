"""The audio devices PortAudio offers (through sounddevice), as plain data.

Without the PortAudio library (or the sounddevice package) the report says so
(``available`` False, with the reason) instead of raising.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mirage.audio.device import AudioDevice
from mirage.quiet_c_stderr import quiet_c_stderr


@dataclass
class AudioReport:
    """The PortAudio part: ``available`` False (with ``error``) if PortAudio cannot be used."""

    available: bool
    portaudio_version: str | None = None
    error: str | None = None
    hostapis: list[str] = field(default_factory=list)
    devices: list[AudioDevice] = field(default_factory=list)



def list_audio_devices() -> AudioReport:
    """Query PortAudio through sounddevice (imported here, so MIDI listing works without it)."""
    try:
        with quiet_c_stderr():
            import sounddevice as sd
    except (ImportError, OSError) as exc:  # OSError: "PortAudio library not found"
        return AudioReport(available=False, error=str(exc) or type(exc).__name__)
    try:
        with quiet_c_stderr():
            hostapis = sd.query_hostapis()
            devices = sd.query_devices()
            version = sd.get_portaudio_version()[1]
    except sd.PortAudioError as exc:
        return AudioReport(available=False, error=str(exc))
    default_in = {api["default_input_device"] for api in hostapis if api["default_input_device"] >= 0}
    default_out = {api["default_output_device"] for api in hostapis if api["default_output_device"] >= 0}
    # PortAudio's global defaults are those of its default host API; sounddevice's
    # `default.device` resolves them (or the user's override) to indices (-1 = none).
    global_in, global_out = sd.default.device
    result = []
    for device in devices:
        index = int(device["index"])
        result.append(AudioDevice(
            index=index,
            name=str(device["name"]),
            hostapi=str(hostapis[device["hostapi"]]["name"]),
            max_input_channels=int(device["max_input_channels"]),
            max_output_channels=int(device["max_output_channels"]),
            default_samplerate_hz=float(device["default_samplerate"]),
            default_input=index == global_in or (global_in < 0 and index in default_in),
            default_output=index == global_out or (global_out < 0 and index in default_out),
        ))
    return AudioReport(available=True, portaudio_version=str(version),
                       hostapis=[str(api["name"]) for api in hostapis], devices=result)
