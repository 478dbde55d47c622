"""The setlist: the songs of a show (`Song`, as a rig file or the command line gives them) and
each one opened for the engine (`open_setlist`: audio loaded, channels checked, profiles resolved).

A song is ``live`` (the device's inputs; its tracks name the input channels), ``demo`` or a
PATH (an audio file or a folder of stems, loaded whole before the show starts, so a song change
reads no file). Every song of one setlist is live, or every song is recorded: the audio stream
(inputs or outputs) is opened once, for all of them. Recorded songs are resampled to the rate
of the first one (the device's rate when there is a device).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from mirage.errors import InputError, ParameterError

LIVE = "live"


@dataclass
class Track:
    """One track of a song as given: its name, its device input (1-based, live only), its
    instrument profile; None: the default."""

    name: str | None = None
    channel: int | None = None
    profile: str | None = None


@dataclass
class Song:
    """A song as given. ``origin`` names where it was given, for error messages
    (``rig.toml: songs[2]``, ``--input``)."""

    source: str
    name: str | None = None
    tracks: list[Track] = field(default_factory=list)
    profile: str | None = None
    origin: str = "--input"

    @property
    def title(self) -> str:
        """Its name, else ``live``, ``demo`` or the file's / folder's name without suffix."""
        from pathlib import Path

        if self.name:
            return self.name
        return self.source if self.source in (LIVE, "demo") else Path(self.source).stem or self.source


@dataclass
class OpenSong:
    """A song ready for the engine: its `mirage.engine.source.Source` (``playback`` loaded,
    or the device ``channel_map``), the resolved profile names and pitch ranges."""

    title: str
    source: object
    profiles: list[str]
    ranges_hz: np.ndarray

    @property
    def n_tracks(self) -> int:
        return len(self.profiles)


def open_setlist(songs: list[Song], *, device_spec: str | None, clock: bool, play: bool, notice,
                 fallback_profile: str, profile: str | None = None, profiles: str | None = None,
                 channels: str | None = None) -> list[OpenSong]:
    """Open every song (the first decides the device and the sample rate).

    ``profiles`` (``--profiles``, one per track) and ``channels`` (``--channels``) apply
    when the setlist has one song. A track's profile, else its song's ``profile``, else
    ``profile`` (``--profile``), else the demo's stem profile, else ``fallback_profile``
    (`mirage.profiles.default_profile`). InputError / ParameterError name the song's origin."""
    from mirage.engine.source import open_source

    kinds = {song.source == LIVE for song in songs}
    if len(kinds) > 1:
        first_live = next(s for s in songs if s.source == LIVE)
        raise ParameterError(f"{first_live.origin}: a setlist is all live input or all recorded songs")
    first = songs[0]
    source0 = _with_context(first, lambda: open_source(first.source, device_spec=device_spec, channels=channels,
                                                       clock=clock, play=play, notice=notice))
    opened = []
    for i, song in enumerate(songs):
        source = source0 if i == 0 else _with_context(song, lambda s=song: _open_more(s, source0))
        loaded = source
        if song.source == LIVE and song.tracks:
            source = loaded = _live_tracks(song, source)
        elif song.tracks and len(song.tracks) > len(source.names):
            raise ParameterError(f"{song.origin}.tracks: {len(song.tracks)} tracks given, the song "
                                 f"{song.source!r} has {len(source.names)}")
        else:
            for t, track in enumerate(song.tracks):
                if track.channel is not None:
                    raise ParameterError(f"{song.origin}.tracks[{t}].channel: an input channel applies to "
                                         f"live songs only")
            names = [track.name or name for track, name in zip(song.tracks + [Track()] * len(source.names),
                                                                   source.names)]
            source = _replace(source, names=names)
        one = len(songs) == 1
        song_profile = song.profile or profile
        result = _profiles(song, loaded, song_profile, fallback_profile, profiles if one else None)
        result.source = source
        opened.append(result)
    return opened


def _with_context(song: Song, open_it):
    try:
        return open_it()
    except (InputError, ParameterError) as exc:
        if song.origin == "--input":
            raise
        raise type(exc)(f"{song.origin}: {exc}") from None


def _open_more(song: Song, first):
    """A later song, on the first one's device and at its sample rate."""
    from mirage.audio_files import DEMO_SOURCE
    from mirage.engine.source import Source
    from mirage.load_audio import load_source

    if song.source == LIVE:
        return first
    audio, sr_hz, names = load_source([song.source], sr_hz=first.sr_hz)
    default = None
    if song.source == DEMO_SOURCE:
        from mirage.demo import STEM_PROFILES as default
    return Source(np.ascontiguousarray(audio.T), list(range(audio.shape[0])), names, default, sr_hz,
                  first.device, first.play, str(song.source))


def _live_tracks(song: Song, source):
    """Live: the tracks' input channels (1-based in the rig file), checked against the device."""
    available = source.device.max_input_channels if source.device is not None else 0
    columns = []
    for t, track in enumerate(song.tracks):
        channel = track.channel if track.channel is not None else t + 1
        if not 1 <= channel <= available:
            raise InputError(f"{song.origin}.tracks[{t}].channel = {channel}: the device "
                             f"{source.device.name!r} has inputs 1..{available}")
        columns.append(channel - 1)
    names = [track.name or f"in{column + 1}" for track, column in zip(song.tracks, columns)]
    return _replace(source, channel_map=columns, names=names)


def _replace(source, **changes):
    from dataclasses import replace

    return replace(source, **changes)


def _profiles(song: Song, source, song_profile: str | None, fallback: str, profiles: str | None) -> OpenSong:
    from mirage.profiles import track_pitch_ranges

    if profiles is None and any(t.profile for t in song.tracks):
        given = [t.profile for t in song.tracks] + [None] * (len(source.names) - len(song.tracks))
        default_of = dict(source.profiles_default or {})
        chosen = [p or song_profile or default_of.get(name, fallback) for p, name in zip(given, source.names)]
        ranges, names = _resolve(song, lambda: track_pitch_ranges(source.names, profiles=chosen))
    else:
        ranges, names = _resolve(song, lambda: track_pitch_ranges(
            source.names, profile=song_profile, profiles=profiles, default=source.profiles_default,
            fallback=fallback))
    return OpenSong(song.title, source, names, ranges)


def _resolve(song: Song, resolve):
    try:
        return resolve()
    except ParameterError as exc:
        if song.origin == "--input":
            raise
        raise ParameterError(f"{song.origin}: {exc}") from None
