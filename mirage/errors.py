"""The two error types a user can meet, each with its exit code.

`ParameterError` is raised for a bad parameter before anything starts (the offending value
is in the message); `InputError` for input that cannot be used (a missing or unreadable
file, an empty folder). The CLI prints either as one line on stderr and exits with
`EXIT_BAD_INPUT`; neither ever reaches the user as a traceback.
"""

EXIT_OK = 0
EXIT_BAD_INPUT = 2
EXIT_DEVICE_LOST = 3


class MirageError(Exception):
    """Base of every error MIRAGE reports to the user as one line."""

    exit_code = EXIT_BAD_INPUT


class ParameterError(MirageError):
    """A parameter is out of range or inconsistent with another one."""


class InputError(MirageError):
    """An input (file, folder, device, model) cannot be used."""


class MissingExtra(MirageError):
    """An optional dependency is not installed; the message names the extra that installs it."""


class DeviceLostError(MirageError):
    """The audio device went away while running."""

    exit_code = EXIT_DEVICE_LOST
