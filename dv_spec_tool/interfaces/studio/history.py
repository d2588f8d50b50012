"""The studio's edit history: undo and redo of whole edits.

Each edit the page asks for (add, save, rename, delete, connect, move, auto
layout) is one step: the exact text of every design file and of the layout
side file before and after it. Undo puts the "before" texts back, redo the
"after" texts, and only while each file is still exactly as the step left it:
when a person changed a file meanwhile (an editor, another tab) the undo is
refused and nothing is written. Restored YAML is parsed before it is written,
and written atomically with the file's mode, line endings and encoding kept
(it is the file's own earlier text).

The history lives in the server, so it survives reloading the page; it ends
with the `dv-spec studio` session.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass

from dv_spec_tool.core.errors import UsageError
from dv_spec_tool.core.files import write_atomic
from dv_spec_tool.core.project import SCHEMA_SUFFIXES
from dv_spec_tool.core.yamlpos import YamlError, load_yaml
from dv_spec_tool.edit.design_edit import EditConflict
from dv_spec_tool.interfaces.studio.layout import LAYOUT_FILE

LIMIT = 200  # steps kept


@dataclass
class Step:
    label: str
    files: dict  # relative path -> (bytes before or None, bytes after or None)


class History:
    def __init__(self, root: str, model_paths: list):
        self.root = root
        self.model_paths = list(model_paths)
        self.done: list = []
        self.undone: list = []

    def summary(self) -> dict:
        return {"undo": self.done[-1].label if self.done else None,
                "redo": self.undone[-1].label if self.undone else None,
                "undo_count": len(self.done), "redo_count": len(self.undone)}

    @contextmanager
    def edit(self, label: str):
        """Record what the block changes as one step (also when it fails half way)."""
        before = self._snapshot()
        try:
            yield
        finally:
            after = self._snapshot()
            files = {path: (before.get(path), after.get(path)) for path in sorted(set(before) | set(after))
                     if before.get(path) != after.get(path)}
            if files:
                self.done.append(Step(label, files))
                del self.done[:-LIMIT]
                self.undone.clear()

    def undo(self) -> str:
        if not self.done:
            raise UsageError("nothing to undo")
        step = self.done[-1]
        self._put(step, back=True)
        self.undone.append(self.done.pop())
        return step.label

    def redo(self) -> str:
        if not self.undone:
            raise UsageError("nothing to redo")
        step = self.undone[-1]
        self._put(step, back=False)
        self.done.append(self.undone.pop())
        return step.label

    # ------------------------------------------------------------ files
    def _put(self, step: Step, back: bool) -> None:
        word = "undo" if back else "redo"
        wanted = {path: (old if back else new) for path, (old, new) in step.files.items()}
        for path, (old, new) in step.files.items():
            if self._read(path) != (new if back else old):
                raise EditConflict(f"{path} changed since `{step.label}` (in an editor?); {word} refused, "
                                   "nothing written")
        for path, data in wanted.items():
            if data is not None and path.endswith(SCHEMA_SUFFIXES):
                try:
                    load_yaml(data.decode("utf-8-sig"))
                except (YamlError, UnicodeDecodeError) as exc:
                    raise UsageError(f"{path}: the {word} would not give valid YAML ({exc}); nothing written") from None
        for path, data in wanted.items():
            target = os.path.join(self.root, *path.split("/"))
            if data is None:
                if os.path.exists(target):
                    os.unlink(target)
            else:
                write_atomic(target, data.decode("utf-8"))

    def _read(self, path: str):
        try:
            with open(os.path.join(self.root, *path.split("/")), "rb") as handle:
                return handle.read()
        except FileNotFoundError:
            return None

    def _snapshot(self) -> dict:
        """{relative path: bytes} of the schema files under the model paths and the layout file."""
        found = {}
        for folder in self.model_paths:
            base = os.path.join(self.root, folder)
            for directory, dirs, files in os.walk(base):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in files:
                    if name.endswith(SCHEMA_SUFFIXES):
                        path = os.path.relpath(os.path.join(directory, name), self.root).replace(os.sep, "/")
                        found[path] = self._read(path)
        layout = self._read(LAYOUT_FILE)
        if layout is not None:
            found[LAYOUT_FILE] = layout
        return found
