"""`mirage run` when its audio device goes away and comes back: a real JACK server is stopped
under a running engine and started again with the same name; real UDP receivers listen.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time

import pytest

from mirage.audio.jack_server import JackServer
from tests.conftest import require_jack_tools
from tests.engine_runs import mirage_command, read_stats
from tests.osc_receivers import PythonOscReceiver, wait_for

pytestmark = pytest.mark.jack


@pytest.fixture(autouse=True)
def _jack_tools():
    require_jack_tools()  # skipped without jackd2, a failure in CI

FEATURE_ADDRESS = "/Lfmsg_ch0"


def _start(args, env) -> subprocess.Popen:
    """`mirage run ARGS` in its own process group (a terminal's Ctrl-C reaches the group)."""
    return subprocess.Popen(mirage_command("run", *args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**os.environ, **env}, start_new_session=True)


def _features(osc) -> int:
    return sum(1 for address, _ in osc.received if address == FEATURE_ADDRESS)


def _status(osc) -> list[list]:
    return [args for address, args in osc.received if address == "/mirage/status"]


def _finish(proc, timeout_s=30.0) -> tuple[int, str]:
    try:
        _, err = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        _, err = proc.communicate()
        pytest.fail(f"mirage run did not exit within {timeout_s} s: {err[-2000:]}")
    return proc.returncode, err


@contextlib.contextmanager
def _live_engine(server_name: str, args: list[str]):
    """A jackd named ``server_name`` and ``mirage run --input live ARGS`` on it, its OSC to a
    receiver: yields (server, proc, osc) once features flow; on the way out whatever is still
    running is killed and jackd stopped."""
    server = JackServer(server_name)
    server.start()
    proc = None
    try:
        with PythonOscReceiver() as osc:
            proc = _start(["--input", "live", "--device", "system", "--osc-port", str(osc.port), *args], server.env)
            assert wait_for(lambda: _features(osc) > 50, timeout_s=120), proc.stderr.read() if proc.poll() else ""
            yield server, proc, osc
    finally:
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        server.stop()


def test_jack_server_restarted_under_a_running_engine_resumes_analysis(tmp_path):
    """jackd goes away twice (stopped, then killed): each time the process, OSC and the
    emotion worker stay and /mirage/status says "lost"; jackd starts again under the same
    name: features flow again and /mirage/status says "running". The stats count two losses
    and their recovery times, and Ctrl-C exits 0."""
    stats_path = tmp_path / "s.json"
    resumed_after_s = []
    with _live_engine(f"mirage-stage-loss-{os.getpid()}", ["--stats-json", str(stats_path)]) as (server, proc, osc):
        assert wait_for(lambda: _features(osc) > 100, timeout_s=120)
        for loss, go_away in enumerate((server.stop, server.kill), start=1):
            go_away()
            assert wait_for(lambda: any(s[-2:] == [loss, "lost"] for s in _status(osc)), timeout_s=10)
            time.sleep(2.5)  # two retries find nothing
            assert proc.poll() is None
            during = _features(osc)
            time.sleep(0.5)
            assert _features(osc) == during  # nothing analysed while the device is away

            server.start()
            back_s = time.monotonic()
            assert wait_for(lambda: _features(osc) > during, timeout_s=30)
            resumed_after_s.append(time.monotonic() - back_s)
            assert wait_for(lambda: _features(osc) > during + 100, timeout_s=30)
            assert wait_for(lambda: _status(osc)[-1][-2:] == [loss, "running"], timeout_s=5)
            assert proc.poll() is None
        os.killpg(proc.pid, signal.SIGINT)
        code, err = _finish(proc)

    assert code == 0, err[-3000:]
    assert "Traceback" not in err and "leaked" not in err, err[-3000:]
    lines = err.splitlines()
    assert sum("' lost: " in line for line in lines) == 2, err[-3000:]
    assert sum("back after" in line for line in lines) == 2, err[-3000:]
    stats = read_stats(stats_path)
    assert stats["device_losses"] == 2
    assert len(stats["recovery_s"]) == 2 and all(r > 0 for r in stats["recovery_s"])
    assert stats["emotion_restarts"] == 0 and stats["emotion_sent"] > 0
    print("\nfeatures again " + ", ".join(f"{r:.2f}" for r in resumed_after_s) + " s after the restarted "
          "jackd answered (stopped, killed); loss to resumed stream " +
          ", ".join(f"{r:.2f}" for r in stats["recovery_s"]) + " s (jackd away ~3 s, then its start-up)")


def test_exit_on_device_loss_is_one_line_and_exit_3(tmp_path):
    """--exit-on-device-loss: jackd dies, one error line, exit code 3, nothing leaked."""
    args = ["--exit-on-device-loss", "--stats-json", str(tmp_path / "s.json")]
    with _live_engine(f"mirage-stage-exit-{os.getpid()}", args) as (server, proc, osc):
        server.stop()
        code, err = _finish(proc)
    assert code == 3, (code, err[-3000:])
    assert "Traceback" not in err and "leaked" not in err and "resource_tracker" not in err, err[-3000:]
    errors = [line for line in err.splitlines() if "error" in line]
    assert len(errors) == 1 and "device" in errors[0], err[-3000:]
    assert read_stats(tmp_path / "s.json")["device_losses"] == 1
    assert not [n for n in os.listdir("/dev/shm") if n.startswith(f"mirage-{proc.pid}-")]


def test_ctrl_c_while_the_device_is_away_exits_0(tmp_path):
    """The operator gives up while jackd is away: exit 0, the stats count the loss and no
    recovery, and PortAudio's exit handler does not abort on the dead JACK client."""
    args = ["--stats-json", str(tmp_path / "s.json")]
    with _live_engine(f"mirage-stage-quit-{os.getpid()}", args) as (server, proc, osc):
        server.stop()
        assert wait_for(lambda: any(s[-1] == "lost" for s in _status(osc)), timeout_s=10)
        time.sleep(1.5)  # a retry finds nothing
        os.killpg(proc.pid, signal.SIGINT)
        code, err = _finish(proc)
    assert code == 0, (code, err[-3000:])
    assert "Traceback" not in err and "leaked" not in err and "Assertion" not in err, err[-3000:]
    stats = read_stats(tmp_path / "s.json")
    assert stats["device_losses"] == 1 and stats["recovery_s"] == []
