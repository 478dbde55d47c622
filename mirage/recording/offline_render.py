"""`mirage analyze PATH --record FILE`: a song rendered offline into a recording, as if run live.

The same kernels (`mirage.feature_stream.FeatureStream`, i.e. `kernels.analyzer`), the same
mood model and steps (`mirage.emotion.offline.emotion_track`) and the same encoders
(`mirage.osc.hop_encoder.make_hop_encoder`, `mirage.osc.emotion_encoder.EmotionEncoder`,
`mirage.osc.status_encoder.encode_status`) as `mirage run`, so the datagrams are the ones the
live engine sends for the song, as fast as the analysis runs.

Times, as if the song had been captured live from sample 0 at time 0 (the Unix epoch, so the
time tags are seconds since the song's start, plus NTP's 1900→1970 offset):

* hop k is sent at the capture time of its last sample, ``(k·hop + n_fft − 1) / sr_hz`` (the
  live engine's time tag: the callback stamps sample n at ``t_sample0 + n / sr_hz``);
* a mood step at its ``time_s`` (the end of its analysed window; the live writer's time tag
  is ``t_sample0 + time_s`` too);
* ``/mirage/status`` (all counters 0, ``running``) at the first hop, then every second, and
  once after the last hop — as the live writer sends it.

Send times equal the time tags (a live run sends ~0.3–1 ms later, and its mood steps later
still, after the worker's inference); at equal times a hop comes before a mood step, and a
status before both.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from mirage.osc.addresses import DEFAULT_MAX_DATAGRAM_BYTES, DEFAULT_OSC_PROFILE, STATUS_DEVICE_STATES
from mirage.recording.format import RecordingWriter, make_header
from mirage.recording.recorder import datagram_time_tag

__all__ = ["render_recording", "write_rendered"]

STATUS_PERIOD_S = 1.0
_STATUS, _HOP, _MOOD, _LAST_STATUS = 0, 1, 2, 3   # order of events at the same time


def write_rendered(writer_fileobj, audio: np.ndarray, sr_hz: float, *, track_names, instrument_names,
                   pitch_ranges_hz, n_fft: int = 2048, hop: int = 512, osc_profile: str = DEFAULT_OSC_PROFILE,
                   bundle: bool = True, max_datagram_bytes: int = DEFAULT_MAX_DATAGRAM_BYTES,
                   emotion: bool = True) -> dict:
    """Render `audio` (float32 [n_tracks, n_samples]) into a recording written to the open
    binary file `writer_fileobj`; returns ``{"records", "hops", "mood_steps", "bytes",
    "analysis_s", "encode_s"}``."""
    from mirage.feature_stream import FeatureStream
    from mirage.osc.emotion_encoder import EmotionEncoder
    from mirage.osc.hop_encoder import make_hop_encoder
    from mirage.osc.status_encoder import encode_status

    n_tracks, n_samples = audio.shape
    t_start = time.perf_counter()
    stream = FeatureStream(n_tracks, sr_hz, n_fft=n_fft, hop=hop, pitch_ranges_hz=pitch_ranges_hz)
    features = stream.process(audio).reshape(n_tracks, -1, 8)      # [tracks, frames, 8]
    mood = np.zeros((0, 3))
    if emotion:
        from mirage.emotion.offline import emotion_track

        mood = emotion_track(audio.mean(axis=0), sr_hz)            # as `mirage analyze --emotion-out`
    analysis_s = time.perf_counter() - t_start

    t_start = time.perf_counter()
    n_frames = features.shape[1]
    hop_s = (np.arange(n_frames) * hop + n_fft - 1) / sr_hz
    end_s = hop_s[-1] if n_frames else n_samples / sr_hz
    status_s = np.arange(hop_s[0] if n_frames else 0.0, end_s, STATUS_PERIOD_S)
    events = sorted([(t, _HOP, k) for k, t in enumerate(hop_s.tolist())]
                    + [(t, _MOOD, j) for j, t in enumerate(mood[:, 0].tolist())]
                    + [(t, _STATUS, 0) for t in status_s.tolist()])
    events.append((max(end_s, events[-1][0] if events else 0.0), _LAST_STATUS, 0))

    hop_encoder = make_hop_encoder(n_tracks, profile=osc_profile, instrument_names=instrument_names,
                                   bundle=bundle, max_datagram_bytes=max_datagram_bytes)
    emotion_encoder = EmotionEncoder(osc_profile, bundle=bundle, max_datagram_bytes=max_datagram_bytes)
    status = encode_status((0, 0, 0, 0, 0), STATUS_DEVICE_STATES[0])
    header = make_header(sr_hz=sr_hz, hop=hop, n_fft=n_fft, tracks=track_names, profile=osc_profile,
                         bundle=bundle, source="offline", t0_unix_ns=0)
    writer = RecordingWriter(header, fileobj=writer_fileobj)
    frame = np.zeros((n_tracks, 8), dtype=np.float32)
    hops = steps = 0
    for t, kind, index in events:
        if kind == _HOP:
            np.copyto(frame, features[:, index])
            datagrams = hop_encoder.encode(frame, t)
            hops += 1
        elif kind == _MOOD:
            datagrams = [emotion_encoder.encode(mood[index, 1], mood[index, 2], t)]
            steps += 1
        else:  # _STATUS, _LAST_STATUS
            datagrams = [status]
        send_ns = round(t * 1e9)
        for datagram in datagrams:
            writer.append(send_ns, datagram_time_tag(datagram, t, t), datagram)
    writer.flush()
    return {"records": writer.records, "hops": hops, "mood_steps": steps, "bytes": writer.bytes_written,
            "analysis_s": analysis_s, "encode_s": time.perf_counter() - t_start}


def render_recording(paths, out, *, osc_profile: str = DEFAULT_OSC_PROFILE, n_fft: int = 2048, hop: int = 512,
                     sr_hz: float | None = None, profile: str | None = None, profiles=None,
                     bundle: bool = True, max_datagram_bytes: int = DEFAULT_MAX_DATAGRAM_BYTES,
                     emotion: bool = True) -> dict:
    """Load `paths` (files, stem folders, ``"demo"``: `mirage.load_audio.load_source`) and
    render them into the recording `out`, which appears only when complete
    (`mirage.atomic_output`: written under a temporary name, renamed at the end; an existing
    file of that name is replaced then, never before). Returns `write_rendered`'s figures
    plus ``"audio_s"`` and ``"tracks"``."""
    from mirage.atomic_output import AtomicOutput, check_output
    from mirage.audio_files import DEMO_SOURCE, expand_source
    from mirage.load_audio import load_source
    from mirage.profiles import track_pitch_ranges

    out = Path(out)
    inputs = expand_source(paths)
    check_output("--record", out, inputs)
    audio, rate_hz, names = load_source(inputs, sr_hz=sr_hz)
    default = None
    if list(paths) == [DEMO_SOURCE]:
        from mirage.demo import STEM_PROFILES as default
    ranges, profile_names = track_pitch_ranges(names, profile=profile, profiles=profiles, default=default)
    output = AtomicOutput(out)
    try:
        stats = write_rendered(output.fh, audio, rate_hz, track_names=names, instrument_names=profile_names,
                               pitch_ranges_hz=ranges, n_fft=n_fft, hop=hop, osc_profile=osc_profile,
                               bundle=bundle, max_datagram_bytes=max_datagram_bytes, emotion=emotion)
        output.commit()
    finally:
        output.discard()
    stats.update(audio_s=audio.shape[1] / rate_hz, tracks=len(names))
    return stats


def record_command(args) -> None:
    """``mirage analyze PATH... --record FILE``: render, then one summary line on stderr."""
    import sys

    from mirage.compile_notice import compile_notice
    from mirage.frame_parameters import check_frame

    check_frame(n_fft=args.n_fft, hop=args.hop)
    compiling = compile_notice("analyze")
    stats = render_recording(args.paths, args.record, osc_profile=args.osc_profile, n_fft=args.n_fft,
                             hop=args.hop, sr_hz=args.sr, profile=args.profile, profiles=args.profiles)
    compiling.done()
    took_s = stats["analysis_s"] + stats["encode_s"]
    print(f"mirage: recorded {args.record}: {stats['tracks']} track(s), {stats['audio_s']:.1f} s, "
          f"{stats['hops']} hops, {stats['mood_steps']} mood steps, {stats['records']} datagrams, "
          f"{stats['bytes'] / 1e6:.1f} MB in {took_s:.2f} s "
          f"({stats['audio_s'] / max(took_s, 1e-9):,.0f}x real time)", file=sys.stderr)
