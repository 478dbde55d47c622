"""The Pure Data example (`examples/puredata`) run for real: Debian's `pd`, headless, fed by
`mirage replay` of a recording made by `mirage analyze demo --record`, checked on what Pd
prints.

Each case starts one Pd with a one-object harness patch, ``[mirage-receiver PORT]`` (the
example used as an abstraction, so its port argument is exercised), turns the per-feature
prints on (``-send "mirage-print 1"``), and replays the demo (rendered offline in the
profile) towards Pd *and* towards a python-osc receiver until two moods and two status
messages arrived (~2 s), bundled or not (``mirage replay --no-bundle``) (Pd 0.53's ``oscparse`` unpacks bundles). What Pd prints for
every track, feature, mood and status must be what python-osc decoded from the same
datagrams, in the same order (Pd prints 6 significant digits): a swapped argument, a lost
track or a profile routed wrongly fails. Without `pd` the tests are skipped, or FAIL when
``CI`` is set (``apt-get install puredata-core``; `make test` installs it).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest

from tests.engine_runs import mirage_command
from tests.osc_receivers import HANG_S, PythonOscReceiver, free_udp_port, wait_for

PD = shutil.which("pd")
EXAMPLE_DIR = Path(__file__).resolve().parents[1] / "examples" / "puredata"
FEATURES = ("centroid", "bandwidth", "flatness", "rolloff", "pitch1", "pitch2", "pitch3", "pitch4")
DEMO_TRACKS = 4  # bass, chords, drums, lead (mirage.demo.STEM_NAMES)
LEAD_ENTERS_S = 7.0  # the demo's lead enters at bar 4, 7.5 s
PD_DIGITS_REL = 1e-5
"""Pd prints floats with ``%g`` (6 significant digits): relative error below 5e-6."""


def require_pd() -> None:
    if PD is None:
        message = "Pure Data missing: `pd` not found (apt-get install puredata-core)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


class PdProcess:
    """`pd -nogui` running `patch_text` (a harness saved in `folder`), with the example folder
    on its search path and its console (``-stderr``) written to a file."""

    def __init__(self, folder: Path, patch_text: str, *sends: str):
        self.log_path = folder / "pd-stderr.txt"
        harness = folder / "harness.pd"
        harness.write_text(patch_text)
        command = [PD, "-nogui", "-nosound", "-nomidi", "-stderr", "-path", str(EXAMPLE_DIR), "-open", str(harness)]
        for message in sends:
            command += ["-send", message]
        self._log = self.log_path.open("w")
        self.proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=self._log)

    def lines(self) -> list[str]:
        return self.log_path.read_text().splitlines()

    def wait_for_line(self, line: str) -> None:
        assert wait_for(lambda: line in self.lines() or self.proc.poll() is not None), self.lines()
        assert self.proc.poll() is None, f"pd exited with {self.proc.returncode}: {self.lines()}"

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)
        self._log.close()

    def __enter__(self) -> "PdProcess":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def printed(lines: list[str]) -> dict[str, list[list[str]]]:
    """Pd's ``name: v1 v2 ...`` print lines -> {name: [[v1, v2, ...], ...]} in order."""
    by_name: dict[str, list[list[str]]] = defaultdict(list)
    for line in lines:
        name, sep, values = line.partition(": ")
        if sep:
            by_name[name].append(values.split())
    return by_name


def as_floats(rows: list[list[str]]) -> list[list[float]]:
    return [[float(v) for v in row] for row in rows]


def expected_per_track(received, profile: str) -> dict[int, list[list]]:
    """python-osc's feature messages per track, as the patch's sends see them: the
    mirage-code profile's instrument split off, its missing pitches as 0."""
    prefix = "/Lfmsg_ch" if profile == "readme" else "/LFmsg_ch"
    per_track: dict[int, list[list]] = defaultdict(list)
    for address, args in received:
        if address.startswith(prefix):
            if profile == "mirage-code":
                args = [args[0], *args[1:], *[0.0] * (9 - len(args))]
            per_track[int(address[len(prefix):])].append(args)
    return per_track


def pd_counts(pd: "PdProcess") -> dict[str, int]:
    return {name: len(rows) for name, rows in printed(pd.lines()).items()}


def sent_counts(received: list, profile: str) -> dict[str, int]:
    """How many lines of each name the patch should print for the messages `received`."""
    counts = {f"track{t}-{name}": len(rows) for t, rows in expected_per_track(received, profile).items()
              for name in FEATURES + (("instrument",) if profile == "mirage-code" else ())}
    mood_address = "/Hfmsg_ch0" if profile == "readme" else "/HFmsg_ch0"
    counts["mood"] = sum(1 for address, _ in received if address == mood_address)
    counts["status"] = sum(1 for address, _ in received if address == "/mirage/status")
    return counts


def run_until(engine: subprocess.Popen, condition) -> None:
    """Let ``engine`` run until ``condition()`` holds (or it ended), then SIGTERM: it must exit 0."""
    try:
        assert wait_for(lambda: condition() or engine.poll() is not None)
        engine.send_signal(signal.SIGTERM)
        assert engine.wait(timeout=HANG_S) == 0, engine.stderr.read()
    finally:
        engine.kill()


@pytest.mark.parametrize(("profile", "bundle"), [("readme", True), ("readme", False),
                                                 ("mirage-code", True), ("mirage-code", False)])
def test_pd_prints_what_mirage_sends(tmp_path, request, profile, bundle):
    """The run lasts until 2 moods and 2 status messages arrived (SIGTERM then), however long
    a loaded machine takes; then Pd's prints are compared with python-osc's messages."""
    require_pd()
    mood_address = "/Hfmsg_ch0" if profile == "readme" else "/HFmsg_ch0"
    pd_port = free_udp_port()
    harness = f"#N canvas 0 50 400 200 12;\n#X obj 10 10 mirage-receiver {pd_port};\n"
    with PythonOscReceiver() as python_osc, PdProcess(tmp_path, harness, "mirage-print 1") as pd:
        pd.wait_for_line(f"mirage-receiver: listening on port {pd_port}")
        recording = request.getfixturevalue("offline_demo" if profile == "readme" else "offline_demo_mirage_code")
        args = [str(recording), "-o", f"127.0.0.1:{pd_port}", "-o", f"127.0.0.1:{python_osc.port}"]
        engine = subprocess.Popen(mirage_command("replay", *args, *([] if bundle else ["--no-bundle"])),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        def two_moods_and_statuses() -> bool:
            counts = sent_counts(list(python_osc.received), profile)
            return counts["mood"] >= 2 and counts["status"] >= 2

        run_until(engine, two_moods_and_statuses)
        # the engine has stopped: both receivers end up with the same number of each message
        def same_counts() -> bool:
            printed_counts = pd_counts(pd)
            return all(printed_counts.get(name, 0) == count
                       for name, count in sent_counts(list(python_osc.received), profile).items())

        assert wait_for(same_counts), (pd_counts(pd), sent_counts(list(python_osc.received), profile))
        received = list(python_osc.received)
    sent = expected_per_track(received, profile)
    assert sorted(sent) == list(range(DEMO_TRACKS))
    n_hops = len(sent[0])
    moods = [args for address, args in received if address == mood_address]
    statuses = [args for address, args in received if address == "/mirage/status"]
    lines = pd.lines()
    assert not [line for line in lines if line.startswith("error")], lines[:20]
    out = printed(lines)

    offset = 1 if profile == "mirage-code" else 0
    for track in range(DEMO_TRACKS):
        expected = sent[track]
        assert len(expected) == n_hops
        for k, name in enumerate(FEATURES):
            got = [row[0] for row in as_floats(out[f"track{track}-{name}"])]
            want = [float(args[offset + k]) for args in expected]
            assert got == pytest.approx(want, rel=PD_DIGITS_REL), (track, name)
        if profile == "mirage-code":
            assert out[f"track{track}-instrument"] == [["symbol", args[0]] for args in expected]
        else:
            assert f"track{track}-instrument" not in out

    centroid = {t: [row[0] for row in as_floats(out[f"track{t}-centroid"])] for t in range(DEMO_TRACKS)}
    assert 0 < sorted(centroid[0])[n_hops // 2] < sorted(centroid[1])[n_hops // 2] < 22050  # bass below chords
    intro = int(LEAD_ENTERS_S * 44100 / 512)  # the demo: 44.1 kHz, hop 512
    assert set(centroid[3][:intro]) == {0.0}  # the lead is silent in the intro
    assert {row[0] for row in as_floats(out["track3-flatness"])[:intro]} == {1.0}  # silence is flat

    assert len(moods) >= 2
    got_moods = as_floats(out["mood"])
    assert len(got_moods) == len(moods)
    for got, want in zip(got_moods, moods):
        assert got == pytest.approx(want, rel=PD_DIGITS_REL)
        assert all(-1.0 <= v <= 1.0 for v in got)

    assert len(statuses) >= 2
    assert out["status"] == [[str(v) for v in args] for args in statuses]
    assert out["status"][-1][-1] == "running"
    assert "mirage-unknown" not in out


def test_pd_patch_alone_listens_on_12345_then_mirage_port(tmp_path):
    """Opened as a top-level patch it has no argument: port 12345; ``[s mirage-port]`` moves it."""
    require_pd()
    port = free_udp_port()
    patch = (EXAMPLE_DIR / "mirage-receiver.pd").read_text()
    with PdProcess(tmp_path, patch, f"mirage-port {port}") as pd:
        pd.wait_for_line(f"mirage-receiver: listening on port {port}")
    listening = [line for line in pd.lines() if line.startswith("mirage-receiver:")]
    assert listening == ["mirage-receiver: listening on port 12345",
                         f"mirage-receiver: listening on port {port}"]


RHYTHM_KINDS = ("level", "bands", "onset")
RHYTHM_SENDS = (  # (send name, the message it comes from as the patch prints it, argument index)
    ("mirage-track0-level", "track0-level", 0), ("mirage-track0-level-db", "track0-level", 1),
    ("mirage-track1-bass", "track1-bands", 0), ("mirage-track1-mid", "track1-bands", 1),
    ("mirage-track1-high", "track1-bands", 2), ("mirage-track2-onset", "track2-onset", 0),
    ("mirage-bpm", "tempo", 0), ("mirage-tempo-confidence", "tempo", 1), ("mirage-phase", "phase", 0),
    ("mirage-beat", "beat", 0), ("mirage-beat-bpm", "beat", 1),
)


def rhythm_messages(received: list) -> dict[str, list[list[float]]]:
    """python-osc's rhythm messages under the names the patch prints them with:
    trackN-level / -bands / -onset (from [mirage-track-rhythm N]), tempo, phase, beat."""
    by_name: dict[str, list[list[float]]] = defaultdict(list)
    for address, args in received:
        parts = address.strip("/").split("/")
        if parts[:2] == ["mirage", "track"] and len(parts) == 4 and parts[3] in RHYTHM_KINDS:
            by_name[f"track{parts[2]}-{parts[3]}"].append([float(a) for a in args])
        elif parts[:1] == ["mirage"] and len(parts) == 2 and parts[1] in ("tempo", "phase", "beat"):
            by_name[parts[1]].append([float(a) for a in args])
    return by_name


def test_pd_prints_the_rhythm_layer_a_live_run_sends(tmp_path):
    """`mirage run demo --clock --rhythm` to Pd and to python-osc until two beats arrived:
    every level, bands, onset, tempo, phase and beat Pd prints is what python-osc decoded,
    in order; nothing is left to "mirage-unknown"."""
    require_pd()
    pd_port = free_udp_port()
    harness = f"#N canvas 0 50 400 200 12;\n#X obj 10 10 mirage-receiver {pd_port};\n"
    for k, (send_name, _, _) in enumerate(RHYTHM_SENDS):  # [r NAME] -> [print probe-NAME] for each send
        harness += (f"#X obj 10 {40 + 30 * k} r {send_name};\n#X obj 200 {40 + 30 * k} print probe-{send_name};\n"
                    f"#X connect {1 + 2 * k} 0 {2 + 2 * k} 0;\n")
    with PythonOscReceiver() as python_osc, PdProcess(tmp_path, harness, "mirage-print 1") as pd:
        pd.wait_for_line(f"mirage-receiver: listening on port {pd_port}")
        engine = subprocess.Popen(mirage_command("run", "demo", "--clock", "--rhythm", "--no-emotion",
                                                 "-o", f"127.0.0.1:{pd_port}", "-o", f"127.0.0.1:{python_osc.port}"),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        run_until(engine, lambda: len(rhythm_messages(list(python_osc.received))["beat"]) >= 2)

        def same_counts() -> bool:
            printed_counts = pd_counts(pd)
            return all(printed_counts.get(name, 0) == len(rows)
                       for name, rows in rhythm_messages(list(python_osc.received)).items())

        assert wait_for(same_counts), (pd_counts(pd), {k: len(v) for k, v in rhythm_messages(python_osc.received).items()})
        sent = rhythm_messages(list(python_osc.received))
    lines = pd.lines()
    assert not [line for line in lines if line.startswith("error")], lines[:20]
    out = printed(lines)
    assert "mirage-unknown" not in out
    n_hops = len(sent["track0-level"])
    assert n_hops > 200 and len(sent["beat"]) >= 2
    for track in range(DEMO_TRACKS):
        assert len(sent[f"track{track}-level"]) == len(sent[f"track{track}-bands"]) == n_hops
    assert sent["track2-onset"] and sent["tempo"] and len(sent["phase"]) == len(sent["tempo"])  # the drums hit
    for name, rows in sent.items():
        got = as_floats(out[name])
        assert len(got) == len(rows), name
        for got_row, want_row in zip(got, rows):
            assert got_row == pytest.approx(want_row, rel=PD_DIGITS_REL, abs=1e-6), name
    assert all(abs(bpm - 128.0) < 2.0 for _, bpm in as_floats(out["beat"]))  # the demo is at 128 BPM
    for send_name, message, column in RHYTHM_SENDS:  # each [s ...] carries its own argument
        got = [row[0] for row in as_floats(out[f"probe-{send_name}"])]
        assert got == pytest.approx([row[column] for row in sent[message]], rel=PD_DIGITS_REL, abs=1e-6), send_name
