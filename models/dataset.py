"""Feature tables of the rendered VGMIDI pieces (cached under ~/.cache/mirage/emotion/).

``python -m models.dataset [variant ...]`` renders (if missing) and extracts the emotion
features of every piece, one ``{variant}-{hash of the extractor's sources}.npz`` per variant::

    features  float32[N, N_FEATURES]   one row per 0.5 s step (mirage.emotion.features)
    targets   float32[N, 2]            raters' mean (arousal, valence) at the step's end
    piece     int32[N]                 index into load_pieces()
    time_s    float32[N]

Only steps inside the annotated duration are kept. ``python -m models.dataset emopia`` builds
the auxiliary table of the EMOPIA clips (``fluid`` renders, weak quadrant targets, see
``models.emopia``); there ``piece`` indexes ``load_clips()`` and ``song`` is the clip's source
song as an integer group. Level augmentation is done at training
time by shifting the three level features (``s_``, ``l_``, ``e_level_db``) by the gain in dB:
every other feature is gain-invariant by construction (see the features module), which
``tests/test_emotion_features.py`` checks on real audio.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import soundfile as sf

from mirage.emotion.feature_layout import FEATURE_NAMES
from mirage.emotion.features import extract
from models.cache import CACHE
from models.render import (EMOPIA, HELD_OUT_ROOM_VARIANT, HELD_OUT_VARIANT, TRAIN_VARIANTS,
                           pieces_and_render, render_piece)

LEVEL_COLUMNS = tuple(FEATURE_NAMES.index(n) for n in ("s_level_db", "l_level_db", "e_level_db"))


def features_version() -> str:
    """Hash of the feature extractor's sources: a changed extractor never reuses old tables.

    The sources are ``mirage/emotion/features.py`` and every ``mirage.emotion`` module it
    imports, transitively (the layout, mel bands, semitone peaks, chroma, key fit, pulse).
    """
    import ast
    import hashlib

    import mirage.emotion.features as fm

    folder = Path(fm.__file__).parent
    todo, texts = ["features"], {}
    while todo:
        name = todo.pop()
        if name in texts:
            continue
        texts[name] = (folder / f"{name}.py").read_bytes()
        for node in ast.walk(ast.parse(texts[name])):
            if isinstance(node, ast.ImportFrom) and node.module == "mirage.emotion":
                todo.extend(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("mirage.emotion."):
                todo.append(node.module.split(".")[2])
    h = hashlib.sha1()
    for name in sorted(texts):
        h.update(name.encode() + b"\0" + texts[name])
    return h.hexdigest()[:10]


def table_path(variant: str) -> Path:
    return CACHE / "features" / f"{variant}-{features_version()}.npz"


def build(variant: str) -> None:
    out = table_path(variant)
    if out.exists():
        return
    pieces, render_variant = pieces_and_render(variant)
    feats, targs, idx, times = [], [], [], []
    t0 = time.time()
    for i, p in enumerate(pieces):
        x, sr = sf.read(render_piece(p, render_variant), dtype="float32")
        F, T = extract(x, sr)
        y = p.targets()
        n = min(F.shape[0], y.shape[0])
        feats.append(F[:n])
        targs.append(y[:n])
        idx.append(np.full(n, i, np.int32))
        times.append(T[:n].astype(np.float32))
    out.parent.mkdir(parents=True, exist_ok=True)
    extra = {}
    if variant == EMOPIA:
        songs = {s: k for k, s in enumerate(sorted({p.song for p in pieces}))}
        extra["song"] = np.array([songs[p.song] for p in pieces], np.int32)[np.concatenate(idx)]
    np.savez(out, features=np.concatenate(feats), targets=np.concatenate(targs),
             piece=np.concatenate(idx), time_s=np.concatenate(times), **extra)
    print(f"{variant}: {sum(len(t) for t in targs)} steps in {time.time() - t0:.0f} s", flush=True)


def load(variant: str) -> dict:
    with np.load(table_path(variant)) as z:
        return {k: z[k] for k in z.files}


if __name__ == "__main__":
    for v in sys.argv[1:] or [*TRAIN_VARIANTS, HELD_OUT_VARIANT, HELD_OUT_ROOM_VARIANT, EMOPIA]:
        build(v)
