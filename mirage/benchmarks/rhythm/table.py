"""Run every tracker on every render and summarise (`mirage bench --rhythm`).

Full run: the 8 hand cases with both soundfonts + 12 VGMIDI pieces (alternating
soundfonts); ``--quick``: the hand cases with one soundfont + 2 VGMIDI pieces. All at
44.1 kHz, hop 512, 30 s each.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from mirage.benchmarks.rhythm.pieces import DURATION_S, hand_cases, vgmidi_pieces
from mirage.benchmarks.rhythm.render import available_soundfonts, render
from mirage.benchmarks.rhythm.scoring import beat_scores, onset_scores, tempo_ok
from mirage.benchmarks.rhythm.trackers import aubio_online, essentia_offline, mirage_beats, mirage_onsets
from mirage.benchmarks.rhythm.truth import midi_truth

SR_HZ = 44100
TRACKERS = ("MIRAGE", "aubio (online)", "essentia (offline)")
BEATNET_NOTE = ("not run — it needs madmom, whose PyPI release does not build on Python >= 3.10 "
                "(the previous attempt failed so; not retried)")


def renders(quick: bool, folder: Path):
    fonts = available_soundfonts()
    if not fonts:
        raise RuntimeError("no soundfont found (apt-get install fluid-soundfont-gm timgm6mb-soundfont)")
    names = list(fonts)
    jobs = []
    for name, path in hand_cases(folder).items():
        for font in names[:1] if quick else names:
            jobs.append((name, path, font))
    for i, (name, path) in enumerate(vgmidi_pieces(2 if quick else 12).items()):
        jobs.append((name, path, names[i % len(names)]))
    for name, path, font in jobs:
        wav = folder / f"{Path(path).stem}.{font}.wav"
        yield f"{name} [{font}]", render(path, fonts[font], wav, SR_HZ, DURATION_S), midi_truth(path, DURATION_S)


def run_rhythm_bench(quick: bool = False, log=print) -> dict:
    rows = {t: {"f50": [], "f25": [], "offsets": [], "f70": [], "cmlt": [], "amlt": [], "tempo": [], "s": 0.0}
            for t in TRACKERS}
    notes, pieces = {}, []
    with tempfile.TemporaryDirectory(prefix="mirage-rhythm-") as tmp:
        for label, mix, truth in renders(quick, Path(tmp)):
            piece = {"piece": label, "steady": truth.steady, "truth_bpm": float(truth.tempi_bpm[0])}
            for tracker in TRACKERS:
                t0 = time.perf_counter()
                if tracker == "MIRAGE":
                    beats, bpm = mirage_beats(mix, SR_HZ)
                    onsets, note = mirage_onsets(mix, SR_HZ)
                elif tracker.startswith("aubio"):
                    onsets, beats, bpm, note = aubio_online(mix, SR_HZ)
                else:
                    onsets, beats, bpm, note = essentia_offline(mix, SR_HZ)
                rows[tracker]["s"] += time.perf_counter() - t0
                if note:
                    notes[tracker] = note
                r = rows[tracker]
                if onsets is not None:
                    o = onset_scores(truth.onsets_s, onsets)
                    r["f50"].append(o["f50"])
                    r["f25"].append(o["f25"])
                    r["offsets"].extend(o["offsets_s"].tolist())
                if beats is not None:
                    b = beat_scores(truth.beats_s, beats)
                    for k in ("f70", "cmlt", "amlt"):
                        r[k].append(b[k])
                    piece[tracker] = {"f70": round(b["f70"], 3), "bpm": bpm}
                    if truth.steady:
                        r["tempo"].append(tempo_ok(bpm, truth.tempi_bpm[0]))
            pieces.append(piece)
            log(f"  {label}: " + ", ".join(f"{t.split()[0]} F {piece[t]['f70']:.2f} bpm {piece[t]['bpm'] or 0:.1f}"
                                          for t in TRACKERS if t in piece) + f" (truth {piece['truth_bpm']:.1f})")
    summary = {}
    for tracker, r in rows.items():
        mean = lambda v: float(np.mean(v)) if v else None  # noqa: E731
        off = np.array(r["offsets"])
        summary[tracker] = {
            "onset_f50": mean(r["f50"]), "onset_f25": mean(r["f25"]),
            "onset_offset_mean_ms": float(off.mean() * 1e3) if off.size else None,
            "onset_offset_median_ms": float(np.median(off) * 1e3) if off.size else None,
            "beat_f70": mean(r["f70"]), "cmlt": mean(r["cmlt"]), "amlt": mean(r["amlt"]),
            "tempo_ok": int(sum(r["tempo"])), "tempo_steady": len(r["tempo"]),
            "seconds": r["s"],
        }
    notes["BeatNet"] = BEATNET_NOTE
    return {"summary": summary, "pieces": pieces, "notes": notes, "n_pieces": len(pieces), "quick": quick}


def format_rhythm_table(result: dict) -> str:
    def pct(v):
        return "—" if v is None else f"{100 * v:.1f}"

    def ms(v):
        return "—" if v is None else f"{v:+.1f}"

    lines = [f"Rhythm vs MIDI truth ({result['n_pieces']} renders, 30 s each; beats after 5 s, tempo after 8 s)",
             "| tracker | onset F 50 ms | onset F 25 ms | onset offset mean / median (ms) | beat F 70 ms "
             "| CMLt | AMLt | tempo ±4 % (steady) | time (s) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for tracker, s in result["summary"].items():
        lines.append(f"| {tracker} | {pct(s['onset_f50'])} | {pct(s['onset_f25'])} | "
                     f"{ms(s['onset_offset_mean_ms'])} / {ms(s['onset_offset_median_ms'])} | {pct(s['beat_f70'])} | "
                     f"{pct(s['cmlt'])} | {pct(s['amlt'])} | {s['tempo_ok']}/{s['tempo_steady']} | "
                     f"{s['seconds']:.1f} |")
    for name, note in result["notes"].items():
        lines.append(f"- {name}: {note}")
    return "\n".join(lines)
