"""Writing files safely: atomically, so an interrupted run leaves the old or the new file."""

from __future__ import annotations

import os
import tempfile

from .errors import UsageError


def write_atomic(path: str, text) -> None:
    """Write `text` (str, or bytes) to `path` through a temporary file in the same folder and a rename."""
    folder = os.path.dirname(os.path.abspath(path))
    try:
        os.makedirs(folder, exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix=".dv-spec-", suffix=".tmp", dir=folder)
        try:
            binary = isinstance(text, bytes)  # a .lucid export is a ZIP archive
            with (os.fdopen(handle, "wb") if binary else os.fdopen(handle, "w", encoding="utf-8", newline="")) as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            if os.path.exists(path):
                os.chmod(temp, os.stat(path).st_mode & 0o777)
            os.replace(temp, path)
        except BaseException:
            if os.path.exists(temp):
                os.unlink(temp)
            raise
    except OSError as exc:
        raise UsageError(f"{path}: cannot write: {exc.strerror}") from None


def read_if_exists(path: str) -> str | None:
    """A text file's content, or None when there is none; unreadable, binary or non-UTF-8 files are usage errors."""
    from .project import read_text
    from .yamlpos import YamlError

    try:
        return read_text(path)
    except FileNotFoundError:
        return None
    except (OSError, YamlError) as exc:
        message = getattr(exc, "message", None) or getattr(exc, "strerror", None) or str(exc)
        raise UsageError(f"{path}: cannot be read: {message}") from None
