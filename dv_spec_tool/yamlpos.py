"""Read YAML into plain Python data plus the line and column of every key.

PyYAML's C composer builds the node tree (fast, and safe: only plain scalars,
mappings and sequences are ever constructed); we turn nodes into dicts and
lists ourselves so that every key path keeps its source position and duplicate
keys are reported instead of silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

try:  # the C loader ships with PyYAML's wheels; fall back to pure Python.
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader

Path = tuple  # a key path: ("models", 0, "config", "meta", "dv", "kind")

_MERGE_TAG = "tag:yaml.org,2002:merge"
_COLLECTION_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


class YamlError(Exception):
    """YAML that cannot be read; carries a 1-based line and column."""

    def __init__(self, message: str, line: int = 1, col: int = 1):
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col


@dataclass
class YamlDoc:
    """A parsed YAML document and the positions of its keys and items."""

    data: object
    positions: dict = field(default_factory=dict)  # Path -> (line, col), 1-based
    duplicate_keys: list = field(default_factory=list)  # [(Path, line, col)]

    def position(self, path: Path) -> tuple[int, int]:
        """Position of `path`, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            found = self.positions.get(path)
            if found:
                return found
            path = path[:-1]
        return self.positions.get((), (1, 1))


def _mark(node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def load_yaml(text: str) -> YamlDoc:
    """Parse one YAML document. Raises YamlError with a position on bad input.

    >>> doc = load_yaml("a:\\n  b: [1, 2]\\n")
    >>> doc.data, doc.position(("a", "b", 1))
    ({'a': {'b': [1, 2]}}, (2, 10))
    """
    if "\x00" in text:
        raise YamlError("is a binary file, not YAML")
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise YamlError(f"invalid YAML: {problem}", line, col) from None
    except yaml.YAMLError as exc:  # reader errors: control characters, encodings
        raise YamlError(f"invalid YAML: {exc}".splitlines()[0]) from None
    finally:
        loader.dispose()
    doc = YamlDoc(data=None)
    if node is None:
        return doc
    doc.positions[()] = _mark(node)
    builder = _Builder(loader, doc)
    doc.data = builder.build(node, ())
    return doc


class _Builder:
    def __init__(self, loader, doc: YamlDoc):
        self.loader = loader
        self.doc = doc

    def build(self, node, path: Path):
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in _COLLECTION_TAGS:
            line, col = _mark(node)
            raise YamlError(f"invalid YAML: unsupported tag {node.tag!r} (only plain YAML is read)", line, col)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            items = []
            for index, item in enumerate(node.value):
                self.doc.positions[path + (index,)] = _mark(item)
                items.append(self.build(item, path + (index,)))
            return items
        try:
            value = self.loader.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            line, col = _mark(node)
            raise YamlError(f"invalid YAML value: {exc}".splitlines()[0], line, col) from None
        # Dates and timestamps stay as written; the design only holds names.
        if not isinstance(value, (str, int, float, bool, type(None))):
            value = node.value
        return value

    def _mapping(self, node, path: Path) -> dict:
        result: dict = {}
        merged: dict = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                for source in sources:
                    value = self.build(source, path)
                    if isinstance(value, dict):
                        merged.update(value)
                continue
            key = self.build(key_node, path)
            if isinstance(key, (list, dict)):
                line, col = _mark(key_node)
                raise YamlError("invalid YAML: a mapping key must be a plain value", line, col)
            key_path = path + (key,)
            if key in result:
                self.doc.duplicate_keys.append((key_path, *_mark(key_node)))
            self.doc.positions[key_path] = _mark(key_node)
            result[key] = self.build(value_node, key_path)
        for key, value in merged.items():
            result.setdefault(key, value)
        return result
