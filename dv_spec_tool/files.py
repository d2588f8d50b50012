"""Reading and writing files safely: JSON input that cannot exhaust the stack, and
atomic writes, so an interrupted run leaves the old or the new file."""

from __future__ import annotations

import json
import os
import sys
import tempfile

from .errors import UsageError
from .yamlpos import YamlError

# The process's umask, read once (setting it is the only way to read it): new
# files get the usual mode, 0666 less the umask, not mkstemp's 0600.
_UMASK = os.umask(0o022)
os.umask(_UMASK)
BOM = "\ufeff"


def load_json(text: str | bytes):
    """`json.loads`, with input nested beyond Python's stack a ValueError like any other bad JSON.

    >>> load_json("[" * 100_000)
    Traceback (most recent call last):
    ValueError: nested too deeply to read
    """
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("nested too deeply to read") from None


def load_manifest_json(path: str, missing: str = "") -> dict:
    """A dbt manifest.json as a dict with a `nodes` dict; anything else is a one-line usage error.

    `missing` is what to say of a file that is not there (default: that it cannot be read).

    >>> load_manifest_json("/nonexistent/manifest.json", "run `dbt compile` first")
    Traceback (most recent call last):
    dv_spec_tool.errors.UsageError: /nonexistent/manifest.json: run `dbt compile` first
    """
    try:
        with open(path, encoding="utf-8") as handle:
            manifest = load_json(handle.read())
    except FileNotFoundError as exc:
        raise UsageError(f"{path}: {missing or 'cannot be read: ' + exc.strerror}") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot be read: {exc.strerror}") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: not a dbt manifest (invalid JSON: {exc})") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("nodes"), dict):
        raise UsageError(f"{path}: not a dbt manifest (no `nodes`)")
    return manifest


def read_input(path: str, option: str = "") -> str:
    """The text of a file a person named (with `option`, e.g. `--from`); `-` is standard input.

    UTF-8, with a leading byte order mark dropped; a missing or unreadable file is a one-line usage error.

    >>> read_input("/nonexistent.yml", "--from")
    Traceback (most recent call last):
    dv_spec_tool.errors.UsageError: --from /nonexistent.yml: no such file
    """
    where = f"{option} {path}" if option else path
    try:
        if path == "-":
            text = sys.stdin.read()
        else:
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
    except FileNotFoundError:
        raise UsageError(f"{where}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{where}: cannot be read: {exc}") from None
    return text[1:] if text.startswith(BOM) else text


def read_json_input(path: str, option: str):
    """The JSON document in a file a person named with `option` (read as read_input reads it)."""
    try:
        return load_json(read_input(path, option))
    except ValueError as exc:
        raise UsageError(f"{option} {path}: not JSON ({exc})") from None


def too_deep(value, limit: int) -> bool:
    """Whether lists and dicts in `value` nest more than `limit` levels (walked without recursion).

    >>> too_deep([[[]]], 2), too_deep([[[]]], 3)
    (True, False)
    """
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (list, dict)):
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return False


def write_atomic(path: str, text) -> None:
    """Write `text` (str, or bytes) to `path` through a temporary file in the same folder and a rename.

    An existing file keeps its permissions and (for text) its byte order mark; a new one gets 0666 less the umask."""
    folder = os.path.dirname(os.path.abspath(path))
    try:
        os.makedirs(folder, exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix=".dv-spec-", suffix=".tmp", dir=folder)
        try:
            existing = os.path.exists(path)
            binary = isinstance(text, bytes)  # a .lucid export is a ZIP archive
            if existing and not binary and not text.startswith(BOM) and _starts_with_bom(path):
                text = BOM + text  # the file keeps its encoding: UTF-8 with a byte order mark
            with (os.fdopen(handle, "wb") if binary else os.fdopen(handle, "w", encoding="utf-8", newline="")) as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temp, (os.stat(path).st_mode & 0o7777) if existing else (0o666 & ~_UMASK))
            os.replace(temp, path)
        except BaseException:
            if os.path.exists(temp):
                os.unlink(temp)
            raise
    except OSError as exc:
        raise UsageError(f"{path}: cannot write: {exc.strerror}") from None


def _starts_with_bom(path: str) -> bool:
    with open(path, "rb") as handle:
        return handle.read(3) == BOM.encode("utf-8")


def read_text(path: str) -> str:
    """Read a text file; binary or undecodable content raises YamlError."""
    with open(path, "rb") as handle:
        raw = handle.read()
    if b"\x00" in raw:
        raise YamlError("is a binary file, not text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise YamlError(f"is not UTF-8 text (byte {exc.start})") from None


def read_if_exists(path: str) -> str | None:
    """A text file's content, or None when there is none; unreadable, binary or non-UTF-8 files are usage errors."""
    try:
        return read_text(path)
    except FileNotFoundError:
        return None
    except (OSError, YamlError) as exc:
        message = getattr(exc, "message", None) or getattr(exc, "strerror", None) or str(exc)
        raise UsageError(f"{path}: cannot be read: {message}") from None
