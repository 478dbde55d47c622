"""The two error types a user can meet, each with its exit code.

`ParameterError` is raised for a bad parameter before anything starts (the offending value
is in the message); `InputError` for input that cannot be used (a missing or unreadable
file, an empty folder). The CLI prints either as one line on stderr and exits with
`EXIT_BAD_INPUT`; neither ever reaches the user as a traceback.

`MirageError` and `ParameterError` are defined in `kernels.errors` (the kernels raise them and
depend on nothing in ``mirage``) and are the very same classes here.
"""

from kernels.errors import EXIT_BAD_INPUT, MirageError, ParameterError

__all__ = [
    "EXIT_BAD_INPUT", "EXIT_DEVICE_LOST", "EXIT_OK",
    "DeviceLostError", "InputError", "MirageError", "ParameterError",
]

EXIT_OK = 0
EXIT_DEVICE_LOST = 3


class InputError(MirageError):
    """An input (file, folder, device, model) cannot be used."""


class MissingExtra(MirageError):
    """An optional dependency is not installed; the message names the extra that installs it."""


class DeviceLostError(MirageError):
    """The audio device went away while running."""

    exit_code = EXIT_DEVICE_LOST
