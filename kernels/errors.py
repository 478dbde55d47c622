"""The errors the kernels raise: `ParameterError` under the base `MirageError`.

Defined here, at the bottom, because ``kernels`` depends on nothing in ``mirage``;
`mirage.errors` re-exports both (the same classes) and adds the errors of the tool
(`InputError`, `DeviceLostError`) and the exit codes. `ParameterError` is raised for a bad
parameter before anything starts, with the offending value in the message.
"""

from __future__ import annotations

EXIT_BAD_INPUT = 2
"""Process exit code of a `MirageError` (bad parameter or input): `MirageError.exit_code`."""


class MirageError(Exception):
    """Base of every error MIRAGE reports to the user as one line."""

    exit_code = EXIT_BAD_INPUT


class ParameterError(MirageError):
    """A parameter is out of range or inconsistent with another one."""
