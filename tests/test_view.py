"""`mirage view` for real: a replayed recording's OSC into the viewer, the page in headless Chromium.

The end-to-end test starts ``mirage view --listen 0 --http-port 0`` (free ports, read back
from its first line), then ``mirage replay`` of the demo rendered by ``mirage analyze demo
--record`` (the session fixture ``offline_demo``) sending to it, opens the page
in Debian's ``chromium`` driven by Playwright, waits until the DOM shows the demo's four
tracks and a mood point, and takes two screenshots a second apart that must differ (the
music moves the meters). Every process is stopped at the end, also when an assertion fails;
the viewer must exit 0 on SIGINT. Without chromium or Playwright the test is skipped, or
FAILS when ``CI`` is set. Duration: a few seconds once the recording exists.

The smaller tests hold the command's one-line errors (port taken, bad host, bad --listen).
"""

from __future__ import annotations

import os
import re
import select
import shutil
import signal
import socket
import subprocess

import pytest

from tests.engine_runs import mirage_command
from tests.osc_receivers import HANG_S

CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
"""Without the background-networking flags Chromium tries to reach Google's services at start."""
FIRST_DATA_S = 300.0
"""Bounds a hang only: the engine's first start on a fresh machine compiles its kernels."""
READY_LINE = re.compile(r"view on (http://\S+/) — OSC in on UDP ([0-9.]+):([0-9]+)")


def _require_browser():
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing = "the playwright package (pip install -e '.[dev]')"
    else:
        missing = None if CHROMIUM else "chromium (apt-get install chromium)"
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"{missing} missing")
        pytest.skip(f"{missing} missing")


def _start_view(*args: str) -> tuple[subprocess.Popen, str, int]:
    """The viewer as a process; its page URL and UDP port, read from its first line."""
    view = subprocess.Popen(mirage_command("view", "--listen", "0", "--http-port", "0", *args),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ready, _, _ = select.select([view.stdout], [], [], HANG_S)
    line = view.stdout.readline() if ready else ""
    match = READY_LINE.search(line)
    if not match:
        _stop(view)
        pytest.fail(f"mirage view did not start: {line!r} {view.stderr.read()}")
    return view, match.group(1), int(match.group(3))


def _stop(process: subprocess.Popen, sig=signal.SIGINT) -> int:
    """Ask `process` to stop with `sig`; kill it if it hangs; its exit code."""
    if process.poll() is None:
        process.send_signal(sig)
        try:
            return process.wait(HANG_S)
        except subprocess.TimeoutExpired:
            process.kill()
    return process.wait()


def _page_of_view_fed_by(engine_command: list[str], viewport: dict, look) -> str:
    """Start the view, ``engine_command`` sending to it (``-o 127.0.0.1:PORT`` appended), open
    the page in headless Chromium and call ``look(page)``; then stop everything (also when an
    assertion fails), check the view exited 0, and return what it printed."""
    from playwright.sync_api import sync_playwright

    view, url, udp_port = _start_view()
    engine = browser = None
    try:
        engine = subprocess.Popen([*engine_command, "-o", f"127.0.0.1:{udp_port}"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport=viewport)
            page.goto(url)
            look(page)
            browser.close()
            browser = None
    finally:
        if browser is not None:
            browser.close()
        if engine is not None:
            _stop(engine)
        code = _stop(view)
    out, err = view.communicate()
    assert code == 0, err
    return out


def test_the_page_shows_a_replayed_song_in_headless_chromium(tmp_path, offline_demo):
    """`mirage analyze demo --record F` (the session fixture), then `mirage replay F --loop`
    into the view: what a visual artist does with no band playing."""
    _require_browser()

    def look(page):
        page.wait_for_function(
            "document.querySelectorAll('.track').length >= 4"
            " && Number(document.getElementById('mood-values').dataset.points) > 0"
            " && document.querySelector('#status .stat[data-key=device] b').textContent === 'running'",
            timeout=FIRST_DATA_S * 1000)
        tracks = page.eval_on_selector_all(
            ".track", "cards => cards.map(c => [c.dataset.n, c.querySelector('.track-address').textContent,"
                      " c.querySelector('.meter[data-key=centroid_hz] output').textContent])")
        assert [(n, address) for n, address, _ in tracks] == [(str(n), f"/Lfmsg_ch{n}") for n in range(4)]
        assert all(centroid.endswith("Hz") for _, _, centroid in tracks)
        assert page.text_content("#connection") == "connected"
        first = page.screenshot(path=str(tmp_path / "view-1.png"))
        page.wait_for_timeout(1000)
        second = page.screenshot(path=str(tmp_path / "view-2.png"))
        assert first != second, "the page did not move in a second of music"

    out = _page_of_view_fed_by(mirage_command("replay", str(offline_demo), "--loop"),
                               {"width": 1200, "height": 640}, look)
    assert "view stopped" in out and "OSC messages (0 not MIRAGE's, 0 malformed)" in out, out


def test_the_page_shows_the_rhythm_layer_of_a_live_run(tmp_path):
    """`mirage run demo --clock --rhythm` into the view: each track's level and bands meters
    appear, the drums' onsets are counted, and the tempo panel shows the demo's 128 BPM and
    counts beats."""
    _require_browser()

    def look(page):
        page.wait_for_function(
            "document.querySelectorAll('.track.has-rhythm').length >= 4"
            " && Number(document.getElementById('tempo').dataset.beats) >= 2",
            timeout=FIRST_DATA_S * 1000)
        cards = page.eval_on_selector_all(
            ".track", "cards => cards.map(c => [Number(c.dataset.onsets),"
                      " c.querySelector('.meter[data-key=level] output').textContent,"
                      " getComputedStyle(c.querySelector('.meter[data-key=bass]')).display])")
        assert len(cards) == 4
        assert all(level.endswith(" dB") and display == "grid" for _, level, display in cards), cards
        assert cards[2][0] > 0  # the drums
        assert abs(float(page.text_content("#bpm")) - 128.0) < 2.0
        assert page.is_visible("#tempo") and page.text_content("#beat-count").startswith("beat ")
        page.screenshot(path=str(tmp_path / "view-rhythm.png"))

    out = _page_of_view_fed_by(mirage_command("run", "demo", "--clock", "--rhythm", "--no-emotion"),
                               {"width": 1200, "height": 720}, look)
    assert "OSC messages (0 not MIRAGE's, 0 malformed)" in out, out


def test_sigterm_stops_the_view_with_exit_0():
    view, _, _ = _start_view()
    assert _stop(view, signal.SIGTERM) == 0


def _run_view(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(mirage_command("view", *args), capture_output=True, text=True, timeout=HANG_S)


def test_a_port_that_is_taken_is_one_line_and_exit_2():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp, socket.socket() as tcp:
        udp.bind(("127.0.0.1", 0))
        tcp.bind(("127.0.0.1", 0))
        tcp.listen()
        for args, words in [(("--listen", str(udp.getsockname()[1]), "--http-port", "0"), "UDP"),
                            (("--listen", "0", "--http-port", str(tcp.getsockname()[1])), "TCP")]:
            done = _run_view(*args)
            assert done.returncode == 2, done
            assert done.stderr.count("\n") == 1 and "mirage: error:" in done.stderr, done.stderr
            assert f"{words}" in done.stderr and "port already in use" in done.stderr


@pytest.mark.parametrize("args", [("--host", "no-such-host.invalid", "--listen", "0", "--http-port", "0"),
                                  ("--listen", "no-such-host.invalid:0", "--http-port", "0"),
                                  ("--listen", "12x"), ("--http-port", "70000")])
def test_bad_hosts_and_ports_are_one_line_and_exit_2(args):
    done = _run_view(*args)
    assert done.returncode == 2, done
    assert done.stderr.startswith("mirage: error:") and done.stderr.count("\n") == 1, done.stderr
