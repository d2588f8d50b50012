"""Diagrams: Lucidchart, draw.io and Mermaid in and out of the design.

Readers turn a file into a `model.Diagram`; `to_design` turns a diagram into
design entities (with TODOs); `from_design` turns a resolved design into a
diagram; writers turn a diagram into a file. `FORMATS` names them.
"""

from __future__ import annotations

import os
import re

from dv_spec_tool.core.errors import UsageError

# The readers and writers are imported by the functions that use them: the command line's parser
# reads FORMATS and EXPORTS at every start, and loading the formats' modules costs about 20 ms.
FORMATS = ("lucidchart", "drawio", "mermaid")
EXPORTS = ("mermaid", "lucidchart", "drawio", "lucid")  # `lucid`: a Lucid Standard Import file (.lucid, binary)


def read_diagram(fmt: str, path: str, page: str | None = None):
    """The `model.Diagram` in a Lucidchart export, draw.io file or Mermaid file (one page of it, with `page`)."""
    from dv_spec_tool.importers.diagrams.drawio import drawio_text, read_drawio
    from dv_spec_tool.importers.diagrams.lucid_json import is_lucid_json, read_lucid_json
    from dv_spec_tool.importers.diagrams.lucidchart import read_lucidchart
    from dv_spec_tool.importers.diagrams.mermaid import read_mermaid

    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        raise UsageError(f"{path}: cannot be read: {exc.strerror}") from None
    if fmt == "drawio":
        return read_drawio(path, drawio_text(path, raw), page)
    if fmt == "lucidchart" and is_lucid_json(raw):
        return read_lucid_json(path, raw, page)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: not UTF-8 text (byte {exc.start}); export the diagram again as UTF-8") from None
    if fmt == "lucidchart":
        return read_lucidchart(path, text, page)
    if page is not None:
        raise UsageError("--page: a Mermaid file has no pages (its first erDiagram is read)")
    return read_mermaid(path, text)


def write_diagram(fmt: str, diagram, catalog: str = ""):
    """The diagram as a file's text (bytes for `lucid`)."""
    from dv_spec_tool.importers.diagrams.drawio import to_drawio
    from dv_spec_tool.importers.diagrams.lucid_json import to_lucid
    from dv_spec_tool.importers.diagrams.lucidchart import to_lucidchart_csv
    from dv_spec_tool.importers.diagrams.mermaid import to_mermaid

    if fmt == "lucid":
        return to_lucid(diagram)
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
