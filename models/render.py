"""Render every VGMIDI piece to mono FLAC with fluidsynth, cached outside the repository.

Renders (``~/.cache/mirage/emotion/render/{variant}/{piece}.flac``, 44.1 kHz mono, 16 bit):

=============  ==============================  =========================================
variant        soundfont                       instrument programs
=============  ==============================  =========================================
``fluid``      FluidR3_GM (MIT)                as in the file (piano arrangements)
``musescore``  MuseScore_General_Lite          as in the file
``fluid_prog`` FluidR3_GM                      every melodic channel → one program drawn
                                               per piece (seeded) from electric pianos,
                                               harpsichord, mallets, organ, guitar, strings
``room``       one of the three above,         as that render, through a synthetic room
               drawn per piece                 and with added noise (``models.augment``)
``timgm``      TimGM6mb (GPL-2)                as in the file — held out of training,
                                               used only for the robustness check
``timgm_room`` TimGM6mb                        as ``timgm``, through another synthetic
                                               room and noise — held out as well
=============  ==============================  =========================================

The pieces are VGMIDI's (``models.data``) and EMOPIA's (``models.emopia``: ``fluid`` only).

fluidsynth's default reverb and chorus are on. Rendering is sequential (one core):
``python -m models.render [variant ...]``. Files are written under a temporary name and
renamed, so an interrupted run never leaves a truncated render in the cache.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

import mido
import numpy as np
import soundfile as sf

from models.cache import CACHE
from models.data import Piece, load_pieces
from models.emopia import load_clips

RENDER_SR = 44100
SOUNDFONTS = {
    "fluid": "/usr/share/sounds/sf2/FluidR3_GM.sf2",
    "musescore": "/usr/share/sounds/sf3/MuseScore_General_Lite.sf3",
    "fluid_prog": "/usr/share/sounds/sf2/FluidR3_GM.sf2",
    "timgm": "/usr/share/sounds/sf2/TimGM6mb.sf2",
}
ALT_PROGRAMS = (2, 4, 5, 6, 11, 12, 16, 24, 48)
TRAIN_VARIANTS = ("fluid", "musescore", "fluid_prog", "room")
ROOM_SOURCES = ("fluid", "musescore", "fluid_prog")
HELD_OUT_VARIANT = "timgm"
HELD_OUT_ROOM_VARIANT = "timgm_room"
EMOPIA = "emopia"  # not a render: the EMOPIA clips, rendered as ``fluid``


def render_path(variant: str, pid: str) -> Path:
    return CACHE / "render" / variant / (pid.replace(":", "_") + ".flac")


def set_program(src: Path, dst: Path, program: int) -> None:
    """Copy a MIDI file with every melodic channel forced to ``program`` (GM, 0-based).

    Notes still sounding at the end of a track get a note-off there: with a sustaining
    program (organ, strings) a hanging note would keep fluidsynth rendering forever.
    """
    mid = mido.MidiFile(src)
    for track in mid.tracks:
        on = set()
        for i, msg in enumerate(track):
            if msg.type == "program_change" and msg.channel != 9:
                track[i] = msg.copy(program=program)
            elif msg.type == "note_on" and msg.velocity > 0:
                on.add((msg.channel, msg.note))
            elif msg.type in ("note_off", "note_on"):
                on.discard((msg.channel, msg.note))
        channels = {m.channel for m in track if hasattr(m, "channel") and m.channel != 9}
        end = len(track) - 1 if track and track[-1].type == "end_of_track" else len(track)
        for ch, note in sorted(on):
            track.insert(end, mido.Message("note_off", channel=ch, note=note, velocity=0, time=0))
        for ch in sorted(channels):
            track.insert(0, mido.Message("program_change", channel=ch, program=program, time=0))
    mid.save(dst)


def render_midi(midi: Path, out_flac: Path, soundfont: str, *, gain: float = 0.5) -> None:
    """Render ``midi`` with fluidsynth (44.1 kHz) and store it as mono 16-bit FLAC."""
    out_flac.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "out.wav"
        cmd = ["fluidsynth", "-ni", "-q", "-g", str(gain), "-o", "synth.cpu-cores=1",
               "-F", str(wav), "-r", str(RENDER_SR), soundfont, str(midi)]
        limit_s = 60 + 3 * mido.MidiFile(midi).length  # a stuck render is an error, not a hang
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=limit_s)
        x, sr = sf.read(wav, dtype="float32", always_2d=True)
    mono = x.mean(axis=1)
    peak = float(np.max(np.abs(mono))) if mono.size else 0.0
    if peak > 1.0:  # keep relative level, only avoid clipping on FLAC write
        mono /= peak
    write_flac(out_flac, mono, sr)


def write_flac(path: Path, x: np.ndarray, sr: int) -> None:
    """Mono 16-bit FLAC, written to a temporary name and renamed: an interrupted render
    never leaves a truncated file in the cache."""
    tmp = path.with_name(path.name + ".part")
    sf.write(tmp, x, sr, subtype="PCM_16", format="FLAC")
    tmp.replace(path)


def render_piece(p: Piece, variant: str) -> Path:
    """The cached render of piece ``p`` (anything with ``pid`` and ``midi_path``)."""
    out = render_path(variant, p.pid)
    if out.exists():
        return out
    if variant in ("room", HELD_OUT_ROOM_VARIANT):
        from models.augment import room_and_noise
        rng = np.random.default_rng(zlib.crc32((variant + ":" + p.pid).encode()))
        src = render_piece(p, str(rng.choice(ROOM_SOURCES)) if variant == "room"
                           else HELD_OUT_VARIANT)
        x, sr = sf.read(src, dtype="float32")
        y = room_and_noise(x, sr, rng)
        peak = float(np.max(np.abs(y))) if y.size else 0.0
        out.parent.mkdir(parents=True, exist_ok=True)
        write_flac(out, y / peak if peak > 1.0 else y, sr)
    elif variant == "fluid_prog":
        rng = np.random.default_rng(zlib.crc32(p.pid.encode()))
        program = int(rng.choice(ALT_PROGRAMS))
        with tempfile.TemporaryDirectory() as tmp:
            mid = Path(tmp) / "prog.mid"
            set_program(p.midi_path, mid, program)
            render_midi(mid, out, SOUNDFONTS[variant])
    else:
        render_midi(p.midi_path, out, SOUNDFONTS[variant])
    return out


def pieces_and_render(variant: str) -> tuple[list, str]:
    """The pieces of a variant and the render they use: VGMIDI's pieces for a render
    variant, EMOPIA's clips through ``fluid`` for :data:`EMOPIA`."""
    if variant == EMOPIA:
        return load_clips(), "fluid"
    return load_pieces(), variant


def main(argv: list[str]) -> None:
    """``python -m models.render [variant ...]``; the variant ``emopia`` renders the EMOPIA
    clips through FluidR3 (default: every variant)."""
    variants = argv or [*TRAIN_VARIANTS, HELD_OUT_VARIANT, HELD_OUT_ROOM_VARIANT, EMOPIA]
    for v in variants:
        t0 = time.time()
        pieces, variant = pieces_and_render(v)
        for p in pieces:
            render_piece(p, variant)
        print(f"{v}: {len(pieces)} pieces in {time.time() - t0:.0f} s", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
