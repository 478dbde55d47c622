"""pytest-benchmark timings of `mirage batch` on 4 stereo files of 20 s: 1 local process and 2.

Run with ``make bench`` (``pytest bench/ --benchmark-only``); the speed-up is the ratio of the
two means (``mirage bench`` prints it too, `mirage.benchmarks.batch_speedup`). The 2-process
figure includes starting the processes, as a user meets it.
"""

from __future__ import annotations

import itertools

import pytest

from mirage.benchmarks.batch_speedup import QUICK_FILE_S, QUICK_FILES, write_inputs
from mirage.catalogue import find_inputs
from mirage.catalogue_runner import run_catalogue

OPTIONS = {"n_fft": 2048, "hop": 512, "sr_hz": None, "profile": None, "emotion": False}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("batch-in")
    write_inputs(folder, QUICK_FILES, QUICK_FILE_S)
    found = find_inputs([folder])
    run_catalogue(found[:1], tmp_path_factory.mktemp("warm"), options=OPTIONS)  # kernels loaded
    return found


@pytest.mark.parametrize("jobs", [1, 2])
def test_batch(benchmark, inputs, tmp_path, jobs):
    fresh = (tmp_path / f"out{i}" for i in itertools.count())  # a new folder: nothing is skipped
    result = benchmark.pedantic(lambda: run_catalogue(inputs, next(fresh), options=OPTIONS, jobs=jobs),
                                rounds=3, iterations=1)
    assert result.ok == QUICK_FILES
