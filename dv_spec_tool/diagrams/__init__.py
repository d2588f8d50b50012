"""Diagrams: Lucidchart, draw.io and Mermaid in and out of the design.

Readers turn a file into a `model.Diagram`; `to_design` turns a diagram into
design entities (with TODOs); `from_design` turns a resolved design into a
diagram; writers turn a diagram into a file. `FORMATS` names them.
"""

from __future__ import annotations

import os
import re

from ..errors import UsageError

FORMATS = ("lucidchart", "drawio", "mermaid")


def read_diagram(fmt: str, path: str):
    """The `model.Diagram` in a Lucidchart CSV, draw.io file or Mermaid file."""
    from .drawio import read_drawio
    from .lucidchart import read_lucidchart
    from .mermaid import read_mermaid

    readers = {"lucidchart": read_lucidchart, "drawio": read_drawio, "mermaid": read_mermaid}
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        raise UsageError(f"{path}: cannot be read: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: not UTF-8 text (byte {exc.start}); export the diagram again as UTF-8") from None
    return readers[fmt](path, text)


def write_diagram(fmt: str, diagram, catalog: str = "") -> str:
    from .drawio import to_drawio
    from .lucidchart import to_lucidchart_csv
    from .mermaid import to_mermaid

    if fmt == "mermaid":
        return to_mermaid(diagram)
    if fmt == "lucidchart":
        return to_lucidchart_csv(diagram, catalog=catalog)
    return to_drawio(diagram)


def subject_of(diagram, given: str | None = None) -> str:
    """The subject an import is filed under: given, else the diagram's title, else its file name, as an identifier."""
    for candidate in (given, diagram.title, os.path.splitext(os.path.basename(diagram.path))[0]):
        slug = re.sub(r"[^a-z0-9]+", "_", (candidate or "").lower()).strip("_")
        if slug:
            return slug if re.match(r"^[a-z_]", slug) else f"_{slug}"
    return "vault"
