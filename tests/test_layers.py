"""The package's import graph: no cycle, and no import that runs upward.

The graph is read with `ast` from every module of dv_spec_tool, imports
inside functions included (they still make one module depend on another).
A module's layer is the folder it lives in under dv_spec_tool/; a module
may import its own layer and the layers below it in LAYERS.
"""

from __future__ import annotations

import ast
import pathlib

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "dv_spec_tool"

# Lowest first: each layer may import only itself and those before it.
LAYERS = (
    "core",        # project loading, YAML positions, the design model, findings, kinds, the macro runner
    "importers",   # diagrams and AutomateDV projects into design entries
    "validate",    # the rules and what they read
    "edit",        # changes to the design YAML: new entities, renames, deletes
    "generate",    # scaffold, specs, prompts, change sets, impact
    "check",       # compiled SQL against the design
    "interfaces",  # command line, MCP server, studio, report formats for people
)

# Modules directly under dv_spec_tool/, outside the layer folders, and their layer.
TOP_LEVEL = {
    "__init__": "core",
    "__main__": "interfaces",
}


def modules(package: pathlib.Path) -> dict:
    """{dotted module name: its file} for every module of the package."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports_of(name: str, path: pathlib.Path, known: dict) -> set:
    """The package's modules that module `name` imports, anywhere in its file."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            else:
                base = node.module or ""
            # `from pkg import sub` imports the module pkg.sub; `from mod import name` imports mod
            targets.update(f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names)
    found = set()
    for target in targets:
        while target and target not in known:
            target = target.rpartition(".")[0]
        if target and target != name:
            found.add(target)
    return found


def import_graph(package: pathlib.Path = PACKAGE) -> dict:
    """{module: the package's modules it imports}."""
    known = modules(package)
    return {name: imports_of(name, path, known) for name, path in known.items()}


def layer_of(module: str) -> str:
    parts = module.split(".")[1:] or ["__init__"]
    if parts[0] in LAYERS:
        return parts[0]
    assert parts[0] in TOP_LEVEL, f"{module}: not in a layer folder and not in TOP_LEVEL; say which layer it belongs to"
    return TOP_LEVEL[parts[0]]


def cycles(graph: dict) -> list:
    """Every strongly connected group of more than one module, each as one cycle through it."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node):  # Tarjan's algorithm; the graph is small enough for recursion
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [_cycle_through(graph, set(group)) for group in groups]


def _cycle_through(graph: dict, group: set) -> list:
    """A shortest path from the group's first module back to itself, inside the group."""
    start = min(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for target in sorted(graph[node] & group):
                if target == start:
                    return paths[node] + [start]
                if target not in paths:
                    paths[target] = paths[node] + [target]
                    following.append(target)
        frontier = following
    return sorted(group)


def test_the_graph_sees_imports_of_every_form(tmp_path):
    files = {
        "__init__.py": "VERSION = 1\n",
        "base.py": "import os\n",
        "shapes/__init__.py": "from . import circle  # a submodule\n",
        "shapes/circle.py": "from .. import VERSION\nfrom ..base import os\n",
        "shapes/square.py": "import pkg.base\n\ndef area():\n    from pkg.shapes import circle\n",
        "cli.py": "from pkg.shapes.square import area\n",
    }
    for name, text in files.items():
        (tmp_path / "pkg" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "pkg" / name).write_text(text, encoding="utf-8")
    assert import_graph(tmp_path / "pkg") == {
        "pkg": set(),
        "pkg.base": set(),  # the standard library is not in the graph
        "pkg.shapes": {"pkg.shapes.circle"},
        "pkg.shapes.circle": {"pkg", "pkg.base"},
        "pkg.shapes.square": {"pkg.base", "pkg.shapes.circle"},  # inside a function too
        "pkg.cli": {"pkg.shapes.square"},
    }


def test_cycles_are_found_and_printed():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set()}
    assert cycles(graph) == [["a", "b", "c", "a"]]


def test_a_modules_layer_is_its_folder():
    assert layer_of("dv_spec_tool.core.design") == "core"
    assert layer_of("dv_spec_tool.interfaces.studio.server") == "interfaces"
    assert layer_of("dv_spec_tool") == "core" and layer_of("dv_spec_tool.__main__") == "interfaces"


def test_no_import_cycle():
    found = cycles(import_graph())
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(cycle) for cycle in found)


def test_every_module_has_a_layer():
    for module in import_graph():
        layer_of(module)


def test_no_import_runs_upward():
    rank = {layer: position for position, layer in enumerate(LAYERS)}
    upward = sorted(
        f"{module} ({layer_of(module)}) imports {target} ({layer_of(target)})"
        for module, targets in import_graph().items()
        for target in targets
        if rank[layer_of(target)] > rank[layer_of(module)]
    )
    assert not upward, "imports that run upward:\n" + "\n".join(upward)
