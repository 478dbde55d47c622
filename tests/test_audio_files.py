"""Loading files, folders of stems and the demo into [tracks, samples], and every bad input."""

import os
import shutil
import tempfile

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from mirage import audio_files
from mirage.audio_files import expand_source
from mirage.load_audio import load_source
from mirage.errors import InputError, ParameterError


def write(path, data, sr=48000, **kw):
    sf.write(path, np.asarray(data, dtype=np.float32), sr, **kw)
    return path


def ramp(n, scale=1.0):
    return (np.arange(n, dtype=np.float32) / n * scale).astype(np.float32)


def test_multichannel_file_every_channel_a_track(tmp_path):
    data = np.stack([ramp(1000, 0.1), ramp(1000, 0.2), ramp(1000, -0.3)], axis=1)
    path = write(tmp_path / "mix.wav", data, subtype="FLOAT")
    audio, sr, names = load_source([path])
    assert sr == 48000.0 and names == ["mix:0", "mix:1", "mix:2"]
    assert audio.dtype == np.float32 and audio.shape == (3, 1000) and audio.flags.c_contiguous
    np.testing.assert_array_equal(audio, data.T)


def test_folder_of_stems_sorted_by_name_non_audio_skipped(tmp_path):
    write(tmp_path / "b_bass.wav", np.full(100, 0.2), subtype="FLOAT")
    write(tmp_path / "a_drums.flac", np.full(100, 0.25))
    write(tmp_path / "c_lead.WAV", np.full(100, 0.5), subtype="FLOAT")
    write(tmp_path / ".hidden.wav", np.full(100, 0.9), subtype="FLOAT")
    (tmp_path / "notes.txt").write_text("not audio")
    (tmp_path / "sub").mkdir()
    audio, _, names = load_source([tmp_path])
    assert names == ["a_drums", "b_bass", "c_lead"]
    np.testing.assert_allclose(audio[:, 0], [0.25, 0.2, 0.5], atol=1e-4)


def test_stems_of_different_lengths_are_zero_padded(tmp_path):
    write(tmp_path / "long.wav", np.full(300, 0.5), subtype="FLOAT")
    write(tmp_path / "short.wav", np.full(120, 0.25), subtype="FLOAT")
    audio, _, names = load_source([tmp_path])
    assert names == ["long", "short"] and audio.shape == (2, 300)
    assert (audio[1, :120] == 0.25).all() and (audio[1, 120:] == 0).all()


def test_other_rates_resampled_to_the_first_with_one_notice(tmp_path, capsys):
    t48 = np.arange(48000) / 48000
    write(tmp_path / "a.wav", 0.5 * np.sin(2 * np.pi * 440 * t48), sr=48000, subtype="FLOAT")
    t24 = np.arange(12000) / 24000
    write(tmp_path / "b.wav", 0.5 * np.sin(2 * np.pi * 440 * t24), sr=24000, subtype="FLOAT")
    audio, sr, names = load_source([tmp_path])
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "b.wav (24000 Hz)" in err and "48000 Hz" in err
    assert sr == 48000 and audio.shape == (2, 48000)
    # b is 0.5 s: resampled to 24000 samples of the same sine, then zero-padded.
    np.testing.assert_allclose(audio[1, 1000:23000], audio[0, 1000:23000], atol=2e-3)
    assert not audio[1, 24010:].any()


def test_explicit_rate_resamples_everything(tmp_path):
    write(tmp_path / "a.wav", np.zeros(4800), sr=48000)
    notices = []
    audio, sr, _ = load_source([tmp_path / "a.wav"], sr_hz=16000, notice=notices.append)
    assert sr == 16000 and audio.shape == (1, 1600) and len(notices) == 1


def test_several_paths_concatenate_tracks_in_order(tmp_path):
    write(tmp_path / "z.wav", np.stack([np.full(50, 0.1), np.full(50, 0.2)], 1), subtype="FLOAT")
    (tmp_path / "stems").mkdir()
    write(tmp_path / "stems" / "y.wav", np.full(80, 0.3), subtype="FLOAT")
    audio, _, names = load_source([tmp_path / "z.wav", tmp_path / "stems"])
    assert names == ["z:0", "z:1", "y"] and audio.shape == (3, 80)


def test_demo_source(tmp_path, monkeypatch):
    monkeypatch.setenv("MIRAGE_CACHE_DIR", str(tmp_path))
    audio, sr, names = load_source(["demo"])
    assert names == ["bass", "chords", "drums", "lead"] and sr == 44100
    assert audio.shape == (4, 1323000)


# ---- bad input: an InputError naming the file and the reason ------------------------------


def test_missing_path(tmp_path):
    with pytest.raises(InputError, match=r"nope\.wav: no such file"):
        load_source([tmp_path / "nope.wav"])


def test_not_audio(tmp_path):
    path = tmp_path / "text.wav"
    path.write_text("hello, I am not a RIFF file\n" * 10)
    with pytest.raises(InputError, match=r"text\.wav: not a readable audio file"):
        load_source([path])


def test_empty_file(tmp_path):
    (tmp_path / "empty.flac").write_bytes(b"")
    with pytest.raises(InputError, match=r"empty\.flac: empty file \(0 bytes\)"):
        load_source([tmp_path / "empty.flac"])


def test_zero_frames(tmp_path):
    write(tmp_path / "silent.wav", np.zeros((0, 2)))
    with pytest.raises(InputError, match=r"silent\.wav: contains no audio \(0 frames\)"):
        load_source([tmp_path / "silent.wav"])


def test_empty_folder(tmp_path):
    (tmp_path / "stems").mkdir()
    with pytest.raises(InputError, match=r"stems: the folder is empty"):
        load_source([tmp_path / "stems"])


def test_folder_without_audio(tmp_path):
    (tmp_path / "readme.txt").write_text("x")
    with pytest.raises(InputError, match=r"the folder contains no audio files"):
        load_source([tmp_path])


def test_bad_stem_in_folder_is_named(tmp_path):
    write(tmp_path / "a.wav", np.zeros(100))
    (tmp_path / "b.wav").write_bytes(b"RIFF....WAVEjunk")
    with pytest.raises(InputError, match=r"b\.wav: not a readable audio file"):
        load_source([tmp_path])


def test_unreadable_file_reported(tmp_path, monkeypatch):
    path = write(tmp_path / "locked.wav", np.zeros(100))

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(audio_files, "open", denied, raising=False)
    with pytest.raises(InputError, match=r"locked\.wav: permission denied"):
        load_source([path])


def test_unreadable_file_for_real():
    """The kernel refuses the read: as an ordinary user, or, when the tests run as root (CI),
    in a forked child that has dropped to user 'nobody'."""
    folder = Path(tempfile.mkdtemp(prefix="mirage-locked-"))  # pytest's tmp_path is root-only
    folder.chmod(0o755)
    path = write(folder / "locked.wav", np.zeros(100))
    path.chmod(0)

    def attempt() -> bool:
        try:
            load_source([path])
        except InputError as exc:
            return "locked.wav: permission denied" in str(exc)
        return False

    if os.geteuid() != 0:
        assert attempt()
        return
    pid = os.fork()
    if pid == 0:  # child: no pytest machinery, just the verdict as exit code
        try:
            os.setegid(65534)
            os.seteuid(65534)
            os._exit(0 if attempt() else 1)
        finally:
            os._exit(2)
    _, status = os.waitpid(pid, 0)
    shutil.rmtree(folder)
    assert os.waitstatus_to_exitcode(status) == 0


def test_unlistable_folder_reported(tmp_path, monkeypatch):
    def denied(path):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(audio_files.os, "scandir", denied)
    with pytest.raises(InputError, match=r"permission denied"):
        expand_source([tmp_path])


@pytest.mark.parametrize("sr", [0, -1, 500, float("nan"), 1e7])
def test_bad_rate_is_a_parameter_error(tmp_path, sr):
    write(tmp_path / "a.wav", np.zeros(100))
    with pytest.raises(ParameterError, match="sample rate"):
        load_source([tmp_path / "a.wav"], sr_hz=sr)
