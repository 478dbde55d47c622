"""Outputs that appear only when complete: written under a temporary name, renamed at the end.

On any error or Ctrl-C the temporary file is removed and an existing file of the target's
name is left untouched; an output that is one of the inputs is refused before anything is
read (`check_output`).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from mirage.errors import InputError, ParameterError


class AtomicOutput:
    """A file written under a temporary name in the target's folder and renamed at `commit`.

    Until `commit`, the target is untouched; `discard` (also on garbage) removes the
    temporary file. Permissions follow the umask, as for a plain ``open(path, "w")``.
    """

    def __init__(self, target: Path):
        self.target = target
        self.tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            fd = os.open(self.tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except OSError as exc:
            raise InputError(f"{target}: cannot write: {exc.strerror or exc}") from None
        self.fh = os.fdopen(fd, "wb", buffering=1 << 20)

    def commit(self) -> None:
        self.fh.close()
        os.replace(self.tmp, self.target)

    def discard(self) -> None:
        if not self.fh.closed:
            self.fh.close()
        try:
            os.unlink(self.tmp)
        except FileNotFoundError:
            pass


def check_output(option: str, out: Path, inputs: list[Path]) -> None:
    """Refuse an output that is a folder, in a missing/unwritable folder, or an input."""
    if out.is_dir():
        raise ParameterError(f"{option} {out}: is a folder, give a file name")
    folder = out.parent
    if not folder.is_dir():
        raise InputError(f"{option} {out}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(f"{option} {out}: the folder {folder} is not writable")
    resolved = out.resolve()
    for path in inputs:
        same = resolved == path.resolve()
        if not same and out.exists():
            try:
                same = os.path.samefile(out, path)
            except OSError:
                pass
        if same:
            raise ParameterError(f"{option} {out} is one of the inputs; refusing to overwrite it")
