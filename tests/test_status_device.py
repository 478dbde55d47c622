"""The status display's audio-device fields (mirage.engine.device_watch fills them)."""

from mirage.engine.status_format import format_plain
from tests.test_status import make_snapshot, render_live


def test_plain_line_names_device_losses_only_once_there_were_some():
    assert "device" not in format_plain(make_snapshot())
    assert format_plain(make_snapshot(device_losses=2, device_lost=True)).endswith(
        "emotion_resets=4 device_losses=2 device=lost arousal=+0.50 valence=-0.25")
    assert " device_losses=2 arousal" in format_plain(make_snapshot(device_losses=2))


def test_live_view_counts_losses_and_shouts_while_the_device_is_away(monkeypatch):
    away = render_live(make_snapshot(device_losses=1, device_lost=True), monkeypatch)
    assert "device losses 1" in away and "AUDIO DEVICE LOST" in away
    back = render_live(make_snapshot(device_losses=1), monkeypatch)
    assert "device losses 1" in back and "AUDIO DEVICE LOST" not in back
