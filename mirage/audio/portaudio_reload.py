"""A PortAudio that sees the devices present now, even after a JACK server died under it.

PortAudio lists devices once, in ``Pa_Initialize``: a device that comes back (a JACK server
restarted, an interface plugged in again) is only seen after ``Pa_Terminate`` and a new
``Pa_Initialize``. After the JACK server died, PortAudio's JACK host API cannot be taken
down (measured with Debian's libportaudio2 19.6.0 and jackd2 1.9.21; pa_jack.c):

* ``Pa_StopStream`` / ``Pa_AbortStream`` / ``Pa_CloseStream`` on the dead stream — and
  ``Pa_Terminate``, which closes open streams — wait for the JACK process thread to
  acknowledge, which never comes (``WaitCondition``: ten minutes);
* with no stream open, ``Pa_Terminate`` asserts: ``jack_deactivate`` fails on a dead server
  (``ASSERT_CALL(..., 0)``) and the process aborts.

So that instance is *abandoned*: never called again (nor by sounddevice's exit handler), and
kept loaded — when the next JACK client of this process opens, libjack cleans up the dead
client and calls into the library that made it (unloading it crashes there). A second,
independent PortAudio is loaded from a copy of the same library file under another name
(the dynamic loader would hand back the loaded one for the same name; a copy has its own
globals), made the one sounddevice calls (``sounddevice._lib``) and initialised: it connects
to the JACK server anew. Cost: ~200 kB of mapped code per abandoned instance.

When the current instance is healthy (no JACK host API, or its server still answers), the
ordinary ``Pa_Terminate`` + ``Pa_Initialize`` is used: `refresh`.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import itertools
import os
import shutil
import tempfile

from mirage.errors import InputError

__all__ = ["abandon", "abandon_and_reload", "has_jack_host_api", "jack_server_answers", "make_exit_safe",
           "refresh"]

JACK_HOSTAPI_NAME = "JACK Audio Connection Kit"
_JACK_NO_START_SERVER = 0x01
_abandoned: list = []          # instances kept loaded forever (see the module docstring)
_copies = itertools.count(1)
_original_path: str | None = None


def _library_path() -> str | None:
    """The file PortAudio was first loaded from (from this process's memory map, Linux)."""
    global _original_path
    if _original_path is None:
        try:
            with open("/proc/self/maps") as maps:
                for line in maps:
                    fields = line.split(None, 5)
                    if len(fields) == 6 and "libportaudio" in fields[5] and "(deleted)" not in fields[5]:
                        _original_path = fields[5].strip()
                        break
        except OSError:
            return None
    return _original_path


def has_jack_host_api() -> bool:
    """Whether the current instance's JACK host API is up (it was connected to a server)."""
    import sounddevice as sd

    return any(api["name"] == JACK_HOSTAPI_NAME for api in sd.query_hostapis())


@contextlib.contextmanager
def _quiet_stderr():
    """libjack prints connection failures on fd 2; sounddevice silences it the same way."""
    saved = os.dup(2)
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def jack_server_answers() -> bool:
    """Whether the JACK server this process would use (``JACK_DEFAULT_SERVER``) runs: a
    probe client opens and closes (no server is ever started)."""
    name = ctypes.util.find_library("jack")
    if name is None:
        return False
    lib = ctypes.CDLL(name)
    lib.jack_client_open.restype = ctypes.c_void_p
    lib.jack_client_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_int)]
    lib.jack_client_close.argtypes = [ctypes.c_void_p]
    status = ctypes.c_int(0)
    with _quiet_stderr():
        client = lib.jack_client_open(b"mirage-probe", _JACK_NO_START_SERVER, ctypes.byref(status))
        if client:
            lib.jack_client_close(client)
    return bool(client)


def refresh() -> None:
    """Rescan the devices: ``Pa_Terminate`` + ``Pa_Initialize`` if that is safe, else
    `abandon_and_reload` (the instance holds a JACK client whose server is gone)."""
    import sounddevice as sd

    if not sd._initialized:  # an earlier initialisation failed: this retry tries again
        sd._initialize()
        return
    if any(lib is sd._lib for lib in _abandoned) or (has_jack_host_api() and not jack_server_answers()):
        abandon_and_reload()
        return
    while sd._initialized:
        sd._terminate()
    sd._initialize()


def abandon_and_reload() -> None:
    """Leave the current PortAudio instance as it is, forever, and make sounddevice use a
    fresh one (initialised: it lists the devices present now)."""
    import sounddevice as sd

    path = _library_path()
    if path is None:
        raise InputError("cannot load a second PortAudio instance (no /proc/self/maps)")
    folder = tempfile.mkdtemp(prefix="mirage-portaudio-")
    copy = os.path.join(folder, f"libportaudio-{os.getpid()}-{next(_copies)}.so")
    try:
        shutil.copyfile(path, copy)
        lib = sd._ffi.dlopen(copy)
    finally:  # the mapping outlives the file
        shutil.rmtree(folder, ignore_errors=True)
    _abandoned.append(sd._lib)
    sd._lib = lib
    sd._initialized = 0  # sounddevice's exit handler must not Pa_Terminate the old one
    sd._initialize()


def make_exit_safe() -> None:
    """Before exiting: abandon the current instance if sounddevice's exit handler would
    abort on it (its JACK host API is up but the server is gone)."""
    import sounddevice as sd

    if not any(lib is sd._lib for lib in _abandoned) and has_jack_host_api() and not jack_server_answers():
        abandon()


def abandon() -> None:
    """Leave the current PortAudio instance as it is, forever, without loading another one
    (the process is about to exit: its exit handler must not touch it)."""
    import sounddevice as sd

    _abandoned.append(sd._lib)
    sd._initialized = 0
