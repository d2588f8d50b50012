"""What a traced hash key or hashdiff expression is made of: the hash
function and its algorithm, the columns it hashes in order, how each is
normalised, and the literals and non-deterministic calls inside it.

    >>> import sqlglot
    >>> h = analyse_hash(sqlglot.parse_one("MD5(UPPER(TRIM(raw.a)) || '|' || UPPER(TRIM(raw.b)))"))
    >>> h.algorithm, [c.name for c in h.columns], h.normalisations
    ('md5', ['a', 'b'], ['UPPER(TRIM(?))'])
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlglot import exp

_ANONYMOUS_HASHES = {
    "MD5_BINARY": "md5", "MD5_HEX": "md5", "MD5_NUMBER_LOWER64": "md5", "MD5_NUMBER_UPPER64": "md5",
    "SHA1_BINARY": "sha1", "SHA1_HEX": "sha1", "SHA256": "sha256", "SHA2_BINARY": "sha256", "SHA2_HEX": "sha256",
    "HASH": "hash", "HASH_AGG": "hash", "FARM_FINGERPRINT": "farm_fingerprint", "XXHASH64": "xxhash64",
}
# Hash functions sqlglot parses into their own expression classes.
_HASH_CLASSES = tuple(getattr(exp, name) for name in ("MD5", "MD5Digest", "SHA", "SHA1Digest", "SHA2", "SHA2Digest")
                      if hasattr(exp, name))
# Nodes that put several hashed values together; a column's normalisation stops below them.
_COMBINERS = tuple(getattr(exp, name) for name in ("ConcatWs", "Concat", "DPipe", "Array", "ArrayConcat") if hasattr(exp, name))

NONDETERMINISTIC_CLASSES = tuple(getattr(exp, name) for name in (
    "CurrentTimestamp", "CurrentDate", "CurrentTime", "CurrentDatetime", "Rand", "Uuid", "CurrentUser",
    "Localtimestamp", "Localtime") if hasattr(exp, name))
NONDETERMINISTIC_NAMES = {"NOW", "SYSDATE", "GETDATE", "RANDOM", "RAND", "UUID_STRING", "GEN_RANDOM_UUID", "UUID",
                          "NEWID", "RANDSTR", "SEQ1", "SEQ2", "SEQ4", "SEQ8", "NEXTVAL", "CURRENT_TIMESTAMP",
                          "LOCALTIMESTAMP", "SYSTIMESTAMP", "CURRENT_DATE", "UNIFORM", "NORMAL"}
_SEPARATOR = re.compile(r"^[^A-Za-z0-9]*$")  # '', '||', '^^', '^^||^^': punctuation only


def algorithm_of(node) -> str | None:
    """'md5', 'sha1', 'sha256' (or another name) when `node` is a hash call, else None."""
    if isinstance(node, exp.Anonymous):
        return _ANONYMOUS_HASHES.get(str(node.this).upper())
    if not isinstance(node, _HASH_CLASSES):
        return None
    name = type(node).__name__
    if name in ("MD5", "MD5Digest"):
        return "md5"
    if name in ("SHA", "SHA1Digest"):
        return "sha1"
    length = node.args.get("length")
    bits = int(length.name) if isinstance(length, exp.Literal) and length.name.isdigit() else 256
    return f"sha{bits}"


def hash_argument(node):
    """The expression a hash call hashes (its first argument)."""
    if isinstance(node, exp.Anonymous):
        return node.expressions[0] if node.expressions else None
    return node.this


def is_nondeterministic(node) -> bool:
    if isinstance(node, NONDETERMINISTIC_CLASSES):
        return True
    if isinstance(node, exp.Anonymous) and str(node.this).upper() in NONDETERMINISTIC_NAMES:
        return True
    return False


def _prune_queries(root):
    return lambda node: isinstance(node, exp.Query | exp.Subquery) and node is not root


def template(node, dialect: str | None = None, placeholder: str = "?") -> str:
    """`node` as SQL (in `dialect`) with every column replaced by `?`: the shape of a computation."""
    copy = node.copy()
    for column in list(copy.find_all(exp.Column)):
        if column is copy:
            return placeholder
        column.replace(exp.var(placeholder))
    return copy.sql(dialect=dialect)


@dataclass
class HashShape:
    algorithm: str | None  # None: no hash function in the expression
    hash_node: exp.Expression | None
    columns: list = field(default_factory=list)  # leaf exp.Column nodes under the hash, in order
    normalisations: list = field(default_factory=list)  # distinct per-column normalisation templates, in order of first use
    literals: list = field(default_factory=list)  # value literals inside the hash (not separators or placeholders)
    nondeterministic: list = field(default_factory=list)  # SQL of non-deterministic calls anywhere in the expression
    template: str = ""  # the whole expression with columns as `?`


def analyse_hash(expr, dialect: str | None = None) -> HashShape:
    """Take a traced key / hashdiff expression apart (templates rendered in `dialect`)."""
    hash_node = next((n for n in expr.bfs(prune=_prune_queries(expr)) if algorithm_of(n)), None)
    nondeterministic = [n.sql() for n in expr.walk(prune=_prune_queries(expr)) if is_nondeterministic(n)]
    shape = HashShape(algorithm_of(hash_node) if hash_node is not None else None, hash_node,
                      nondeterministic=nondeterministic, template=template(expr, dialect))
    argument = hash_argument(hash_node) if hash_node is not None else None
    if argument is None:
        return shape
    normalisations = []
    _walk_columns(argument, [], shape.columns, normalisations, dialect)
    shape.normalisations = list(dict.fromkeys(normalisations))
    for literal in argument.find_all(exp.Literal):
        if (literal.is_string and _SEPARATOR.match(literal.this)) or literal.find_ancestor(exp.DataType):
            continue
        shape.literals.append(literal.sql())
    return shape


def _walk_columns(node, path, columns, normalisations, dialect):
    """Depth-first, left to right: each column, and the chain of calls between it and the nearest combiner."""
    if isinstance(node, exp.Query | exp.Subquery):
        return
    if isinstance(node, exp.Column):
        columns.append(node)
        chain_top = node
        for ancestor in reversed(path):
            if isinstance(ancestor, _COMBINERS):
                break
            chain_top = ancestor
        normalisations.append(template(chain_top, dialect))
        return
    for child in _children(node):
        _walk_columns(child, path + [node], columns, normalisations, dialect)


def _children(node):
    for key in node.arg_types:
        value = node.args.get(key)
        if isinstance(value, list):
            yield from (v for v in value if isinstance(v, exp.Expression))
        elif isinstance(value, exp.Expression):
            yield value
