"""`mirage batch`: a catalogue into Parquet files and a manifest; resumed; local and on Dask.

Real subprocesses, real files (mono, stereo FLAC in a subfolder, another rate, a corrupt file,
a stems folder of two rates and lengths), and a real dask.distributed scheduler with two
workers started here on loopback (`python -m dask scheduler` / `worker`, the venv's Python).
"""

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from mirage import cli
from mirage.catalogue import MANIFEST_NAME, find_inputs, output_name

pq = pytest.importorskip("pyarrow.parquet")


def run_mirage(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "mirage", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def noise(n, channels, seed):
    return (0.3 * np.random.default_rng(seed).standard_normal((n, channels))).astype(np.float32)


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    root = tmp_path_factory.mktemp("catalogue")
    cat = root / "cat"
    (cat / "sub").mkdir(parents=True)
    sf.write(cat / "mono.wav", noise(44100, 1, 1), 44100)
    sf.write(cat / "sub" / "stereo.flac", noise(96000, 2, 2), 48000)
    sf.write(cat / "r22.wav", noise(3 * 22050, 1, 3), 22050, subtype="FLOAT")
    (cat / "corrupt.wav").write_bytes(b"RIFF\0\0\0\0WAVEjunk" * 20)
    (cat / "notes.txt").write_text("not audio: not an input\n")
    song = root / "song"
    song.mkdir()
    sf.write(song / "bass.wav", noise(30000, 1, 4), 22050)   # the longer: drums padded
    sf.write(song / "drums.wav", noise(44100, 1, 5), 44100)
    return root


def manifest_rows(folder: Path) -> dict:
    with open(folder / MANIFEST_NAME, newline="") as fh:
        return {row["input"]: row for row in csv.DictReader(fh)}


def batch_args(catalogue, out, *extra):
    return ["batch", catalogue / "cat", "--stems", catalogue / "song", "--out", out,
            "--emotion", *extra]


@pytest.fixture(scope="module")
def local_run(catalogue):
    out = catalogue / "out-local"
    proc = run_mirage(*batch_args(catalogue, out))
    return out, proc


def test_inputs_found_and_named(catalogue):
    inputs = find_inputs([catalogue / "cat"], stems=[catalogue / "song"])
    names = [(Path(i.path).name, i.kind) for i in inputs]
    assert names == [("corrupt.wav", "file"), ("mono.wav", "file"), ("r22.wav", "file"),
                     ("stereo.flac", "file"), ("song", "stems")]
    assert len({i.name for i in inputs}) == 5
    a, b = Path("/x/a/song.wav"), Path("/x/b/song.wav")
    assert output_name(a) != output_name(b) and output_name(a).startswith("song.wav-")


def test_local_batch_equals_analyze(catalogue, local_run, tmp_path):
    out, proc = local_run
    assert proc.returncode == 1, proc.stderr  # one input failed; the others were done
    assert "Traceback" not in proc.stderr
    rows = manifest_rows(out)
    assert len(rows) == 5
    bad = rows[str(catalogue / "cat" / "corrupt.wav")]
    assert bad["status"] == "error" and "not a readable audio file" in bad["error"]
    assert bad["output"] == "" and not list(out.glob("corrupt.wav-*"))
    ok = [r for r in rows.values() if r["status"] == "ok"]
    assert len(ok) == 4
    for row in ok:
        ref = tmp_path / "ref.parquet"
        mood = tmp_path / "ref-mood.csv"
        assert cli.main(["analyze", row["input"], "--out", str(ref), "--emotion-out", str(mood)]) == 0
        got, expected = pq.read_table(out / row["output"]), pq.read_table(ref)
        assert got.column_names == expected.column_names
        assert got.num_rows == expected.num_rows == int(row["frames"]) * int(row["tracks"]) > 0
        for name in got.column_names:
            a, b = got[name].to_numpy(), expected[name].to_numpy()
            assert a.dtype == b.dtype
            np.testing.assert_array_equal(a, b)
        info = json.loads(got.schema.metadata[b"mirage"])
        assert info["sr_hz"] == float(row["sr_hz"]) and len(info["tracks"]) == int(row["tracks"])
        np.testing.assert_array_equal(
            np.loadtxt(out / row["mood_output"], delimiter=",", skiprows=1).astype(np.float32),
            np.loadtxt(mood, delimiter=",", skiprows=1).astype(np.float32))
    song = rows[str(catalogue / "song")]
    # bass.wav (22.05 kHz) comes first by name: drums.wav is resampled to its rate
    assert (song["kind"], song["tracks"], song["sr_hz"]) == ("stems", "2", "22050")
    assert float(song["duration_s"]) == pytest.approx(30000 / 22050)


def test_second_run_skips_what_is_done(catalogue, local_run):
    out, _ = local_run
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    time.sleep(0.05)
    proc = run_mirage(*batch_args(catalogue, out))
    assert proc.returncode == 1, proc.stderr
    assert "skipped 4 input(s) already done" in proc.stderr
    assert "[1/1] error" in proc.stderr and "corrupt.wav" in proc.stderr  # tried again
    after = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    assert set(after) == set(before)
    changed = sorted(name for name in after if after[name] != before[name])
    assert changed == [MANIFEST_NAME]  # no output was rewritten
    assert len(manifest_rows(out)) == 5


def test_local_processes_give_the_same_bytes(catalogue, local_run):
    out, _ = local_run
    out2 = catalogue / "out-jobs2"
    proc = run_mirage(*batch_args(catalogue, out2, "--jobs", "2"))
    assert proc.returncode == 1, proc.stderr
    assert_same_files(out, out2)


def assert_same_files(a: Path, b: Path) -> None:
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    assert len([n for n in names if n.endswith(".parquet")]) == 4
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


# ---- a real Dask cluster on loopback -----------------------------------------------------------


@pytest.fixture
def dask_cluster(tmp_path):
    """``python -m dask scheduler`` and two ``dask worker`` processes (1 thread each) on
    127.0.0.1, started in their own sessions and killed (the whole group) at the end."""
    distributed = pytest.importorskip("distributed")
    info = tmp_path / "scheduler.json"
    procs = []

    def start(*args):
        log = open(tmp_path / f"dask-{len(procs)}.log", "w")
        procs.append(subprocess.Popen([sys.executable, "-m", "dask", *args], cwd=tmp_path,
                                      stdout=log, stderr=subprocess.STDOUT, start_new_session=True))

    try:
        start("scheduler", "--host", "127.0.0.1", "--port", "0", "--dashboard-address", ":0",
              "--no-show", "--scheduler-file", str(info))
        deadline = time.monotonic() + 60
        while not info.exists() or not info.read_text().strip():
            assert procs[0].poll() is None, (tmp_path / "dask-0.log").read_text()
            assert time.monotonic() < deadline, "the scheduler did not start"
            time.sleep(0.2)
        time.sleep(0.2)  # the file is written at once; let it be complete
        address = json.loads(info.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        for _ in range(2):
            start("worker", address, "--nworkers", "1", "--nthreads", "1", "--no-dashboard",
                  "--host", "127.0.0.1")
        with distributed.Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()


def test_dask_cluster_gives_the_same_bytes(catalogue, local_run, dask_cluster):
    out, _ = local_run
    out3 = catalogue / "out-dask"
    proc = run_mirage(*batch_args(catalogue, out3, "--scheduler", dask_cluster))
    assert proc.returncode == 1, proc.stderr
    assert "on the Dask cluster at tcp://127.0.0.1:" in proc.stderr
    assert_same_files(out, out3)  # the features, the moods and the manifest, bit for bit


# ---- bad use: one line, exit 2, nothing started ----------------------------------------------


def test_unreachable_scheduler(catalogue, tmp_path):
    proc = run_mirage("batch", catalogue / "cat", "--out", tmp_path / "o",
                      "--scheduler", "tcp://127.0.0.1:9")
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[-1].startswith(
        "mirage: error: cannot reach the Dask scheduler at tcp://127.0.0.1:9")
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "o" / MANIFEST_NAME).exists()


@pytest.mark.parametrize("case", ["missing path", "jobs", "out is a file", "stems not a folder",
                                  "no audio"])
def test_bad_arguments(catalogue, tmp_path, case):
    (tmp_path / "file").write_text("x")
    (tmp_path / "empty").mkdir()
    args, needle = {
        "missing path": (["batch", tmp_path / "nope", "--out", tmp_path / "o"], "nope: no such"),
        "jobs": (["batch", catalogue / "cat", "--out", tmp_path / "o", "--jobs", "0"], "--jobs"),
        "out is a file": (["batch", catalogue / "cat", "--out", tmp_path / "file"], "not a folder"),
        "stems not a folder": (["batch", "--stems", catalogue / "cat" / "mono.wav", "--out",
                                tmp_path / "o"], "not a folder"),
        "no audio": (["batch", tmp_path / "empty", "--out", tmp_path / "o"], "no audio files"),
    }[case]
    proc = run_mirage(*args)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mirage: error: ") and needle in lines[0]
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("module", ["pyarrow", "distributed"])
def test_missing_extra_is_one_line_naming_it(catalogue, tmp_path, monkeypatch, capsys, module):
    monkeypatch.setitem(sys.modules, module, None)  # import fails as if not installed
    args = ["batch", str(catalogue / "cat"), "--out", str(tmp_path / "o")]
    if module == "distributed":
        args += ["--scheduler", "tcp://127.0.0.1:9"]
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("mirage: error: ") and "[catalogue]" in err
    if module == "pyarrow":
        out = tmp_path / "f.parquet"
        assert cli.main(["analyze", str(catalogue / "cat" / "mono.wav"), "--out", str(out)]) == 2
        assert "[catalogue]" in capsys.readouterr().err and not out.exists()
    assert not (tmp_path / "o").exists()


def test_ctrl_c_stops_the_local_pool_and_leaves_nothing(tmp_path):
    """Ctrl-C (SIGINT to the process group, as a terminal sends it) while two workers write:
    exit 130 within seconds, no partial output or temporary file, no queued input started."""
    from mirage.benchmarks.analyze_memory import write_long_wav

    write_long_wav(tmp_path / "long.wav", minutes=16, sr_hz=22050, channels=2)  # ~5 s each
    (tmp_path / "in").mkdir()
    for i in range(4):
        (tmp_path / "in" / f"s{i}.wav").symlink_to(tmp_path / "long.wav")
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "mirage", "batch", str(tmp_path / "in"),
                             "--out", str(out), "--jobs", "2"], start_new_session=True,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while len(list(out.glob(".*.tmp"))) < 2:  # both workers are writing
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGINT)
        t = time.monotonic()
        _, err = proc.communicate(timeout=60)
        stopped_s = time.monotonic() - t
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "Exception ignored" not in err
    assert stopped_s < 10
    assert sorted(p.name for p in out.iterdir()) == []
