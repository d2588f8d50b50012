"""Read YAML into plain Python data plus the line and column of every key.

PyYAML's C composer builds the node tree (fast, and safe: only plain scalars,
mappings and sequences are ever constructed); we turn nodes into dicts and
lists ourselves so that every key path keeps its source position and duplicate
keys are reported instead of silently dropped.

Input is bounded, so no file makes a command hang or crash: values reached
through aliases (`*name`, `<<: *name`) count against MAX_ALIAS_VALUES (nested
anchors, the "billion laughs" shape, would otherwise expand exponentially),
and nesting stops at MAX_DEPTH levels (deeper data would exhaust Python's
stack in every tree walk after loading). Both become a positioned
YamlLimitError (rule DV004 for schema files).
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

# A dbt schema file nests about ten levels deep and reuses an anchor a few
# hundred times at most; these bounds are far above that and far below harm.
MAX_DEPTH = 100
MAX_ALIAS_VALUES = 100_000
_TOO_DEEP = f"is nested deeper than {MAX_DEPTH} levels"


class YamlError(Exception):
    """YAML that cannot be read; carries a 1-based line and column."""

    def __init__(self, message: str, line: int = 1, col: int = 1):
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col


class YamlLimitError(YamlError):
    """YAML that parses but goes beyond what dv-spec reads (MAX_DEPTH, MAX_ALIAS_VALUES)."""


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
        if problem == "exceeded maximum nesting depth":  # libyaml's own bound, 1,000 levels
            raise YamlLimitError(_TOO_DEEP, line, col) from None
        raise YamlError(f"invalid YAML: {problem}", line, col) from None
    except yaml.YAMLError as exc:  # reader errors: control characters, encodings
        raise YamlError(f"invalid YAML: {exc}".splitlines()[0]) from None
    except RecursionError:  # pragma: no cover - only the pure-Python composer recurses
        raise YamlLimitError(_TOO_DEEP) from None
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
        self.built: set = set()  # ids of the nodes built once; building one again follows an alias
        self.alias_values = 0
        self.alias = None  # the outermost aliased node being expanded, for the error's position
        self.open: set = set()  # ids of the collections being built: an alias to one of them never ends

    def build(self, node, path: Path, depth: int = 0):
        if id(node) in self.open:
            line, col = _mark(node)
            raise YamlError("invalid YAML: an alias refers to the value it is part of", line, col)
        if id(node) in self.built:
            return self._alias(node, path, depth)
        self.built.add(id(node))
        return self._build(node, path, depth)

    def _alias(self, node, path: Path, depth: int):
        outermost = self.alias is None
        if outermost:
            self.alias = node
        try:
            return self._build(node, path, depth)
        finally:
            if outermost:
                self.alias = None

    def _build(self, node, path: Path, depth: int):
        if self.alias is not None:
            self.alias_values += 1
            if self.alias_values > MAX_ALIAS_VALUES:
                line, col = _mark(self.alias)
                raise YamlLimitError(f"is too large once its aliases are expanded: more than {MAX_ALIAS_VALUES:,} values "
                                     "(anchors nested in anchors, a \"billion laughs\" file?)", line, col)
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            if node.tag not in _COLLECTION_TAGS:
                line, col = _mark(node)
                raise YamlError(f"invalid YAML: unsupported tag {node.tag!r} (only plain YAML is read)", line, col)
            if depth >= MAX_DEPTH:
                line, col = _mark(node)
                raise YamlLimitError(_TOO_DEEP, line, col)
        if isinstance(node, yaml.MappingNode):
            self.open.add(id(node))
            result = self._mapping(node, path, depth + 1)
            self.open.discard(id(node))
            return result
        if isinstance(node, yaml.SequenceNode):
            self.open.add(id(node))
            items = []
            for index, item in enumerate(node.value):
                self.doc.positions[path + (index,)] = _mark(item)
                items.append(self.build(item, path + (index,), depth + 1))
            self.open.discard(id(node))
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

    def _mapping(self, node, path: Path, depth: int) -> dict:
        result: dict = {}
        merged: dict = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                for source in sources:
                    value = self.build(source, path, depth)
                    if isinstance(value, dict):
                        merged.update(value)
                continue
            key = self.build(key_node, path, depth)
            if isinstance(key, (list, dict)):
                line, col = _mark(key_node)
                raise YamlError("invalid YAML: a mapping key must be a plain value", line, col)
            key_path = path + (key,)
            if key in result:
                self.doc.duplicate_keys.append((key_path, *_mark(key_node)))
            self.doc.positions[key_path] = _mark(key_node)
            result[key] = self.build(value_node, key_path, depth)
        for key, value in merged.items():
            result.setdefault(key, value)
        return result
