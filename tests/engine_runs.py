"""Running `mirage run` as a subprocess, as a user would, and reading what it sent."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np


def mirage_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "mirage", *args]


def run_engine(args: list[str], *, timeout_s: float = 120.0, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `mirage run ARGS` to completion; stdout/stderr captured as text."""
    return subprocess.run(mirage_command("run", *args), capture_output=True, text=True, timeout=timeout_s,
                          env={**os.environ, **(env or {})})


def start_engine(args: list[str], *, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(mirage_command("run", *args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, **(env or {})})


def read_stats(path: Path) -> dict:
    return json.loads(Path(path).read_text())


def hop_features(received: list[tuple[str, list]], n_tracks: int, prefix: str = "/Lfmsg_ch") -> np.ndarray:
    """float32 [hops, tracks, 8] from `readme`-profile messages received in order.

    Messages of one hop arrive together (one bundle, or consecutive datagrams in track
    order), so the k-th message of track c belongs to hop k.
    """
    per_track: list[list[list[float]]] = [[] for _ in range(n_tracks)]
    for address, args in received:
        if address.startswith(prefix):
            per_track[int(address[len(prefix):])].append(args)
    n = min(len(t) for t in per_track)
    return np.array([[per_track[c][k] for c in range(n_tracks)] for k in range(n)], dtype=np.float32)
