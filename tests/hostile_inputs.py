"""Inputs built to exhaust a reader: nested YAML aliases, very deep nesting,
very long lines. Shared by the tests (that every reader answers with a finding
or one line) and benchmarks/hostile_inputs.py (how fast)."""

from __future__ import annotations


def billion_laughs(anchors: int = 9, fanout: int = 9, merge: bool = False) -> str:
    """A schema file whose aliases expand to fanout**anchors values (the "billion laughs" shape).

    With `merge`, each level is a mapping merging the previous one under `fanout` keys (`<<: *name`).
    """
    lines = ["version: 2", 'lol0: &lol0 ["lol"]' if not merge else "lol0: &lol0 {a: lol}"]
    for level in range(1, anchors + 1):
        if merge:
            items = ", ".join(f"k{i}: {{<<: *lol{level - 1}}}" for i in range(fanout))
            lines.append(f"lol{level}: &lol{level} {{{items}}}")
        else:
            lines.append(f"lol{level}: &lol{level} [{', '.join([f'*lol{level - 1}'] * fanout)}]")
    return "\n".join(lines) + "\n"


def nested(depth: int, shape: str = "[") -> str:
    """`depth` levels of flow sequences (`[`), flow mappings (`{`) or block mappings (`block`)."""
    if shape == "[":
        return "x: " + "[" * depth + "]" * depth + "\n"
    if shape == "{":
        return "x: " + "{a: " * depth + "1" + "}" * depth + "\n"
    return "".join("  " * level + "a:\n" for level in range(depth)) + "  " * depth + "1\n"


def nested_json(depth: int) -> str:
    """A JSON object holding `depth` nested arrays."""
    return '{"nodes": {}, "x": ' + "[" * depth + "]" * depth + "}"


def long_line(size: int = 10_000_000) -> str:
    """A schema file whose one line carries a `size`-character value."""
    return "version: 2\nnote: " + "a" * size + "\n"
