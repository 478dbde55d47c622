"""The status display's control fields (filled by `mirage run` when a control input runs)."""

from mirage.engine.status_format import format_plain
from tests.test_status import make_snapshot, render_live


def test_plain_line_names_the_control_counts_only_with_a_control_input():
    assert "control" not in format_plain(make_snapshot())
    assert " control_bad=3 arousal" in format_plain(make_snapshot(control_bad=3, transport_running=True))
    assert " control_bad=0 transport=stopped arousal" in format_plain(make_snapshot(control_bad=0,
                                                                                    transport_running=False))


def test_live_view_counts_bad_control_input_and_says_when_the_transport_is_stopped(monkeypatch):
    assert "control bad" not in render_live(make_snapshot(), monkeypatch)
    stopped = render_live(make_snapshot(control_bad=12, transport_running=False), monkeypatch)
    assert "control bad 12" in stopped and "transport stopped" in stopped
    running = render_live(make_snapshot(control_bad=0, transport_running=True), monkeypatch)
    assert "control bad 0" in running and "stopped" not in running
