"""Run this package's portable dbt macros from Python, without dbt.

The generators (design resolution, scaffolding, specs) are written once, as
dbt macros under `macros/design/` and `macros/scaffold/`, so that
`dbt run-operation` works for engineers who only have dbt. The command line
renders the very same macros here, in a Jinja environment configured like
dbt's (sandboxed, `do` and loop controls) with the few dbt context members
those macros use: `return`, `exceptions.raise_compiler_error`, `tojson`,
`fromjson`, `fromyaml`, `toyaml`, `local_md5`, `log`, `print` and `var`.

Portable macros call each other through the package namespace
(`dv_spec.x(...)`), as dbt allows, so that `return()` works the same in both.
"""

from __future__ import annotations

import hashlib
import json
import os
from contextlib import contextmanager
from functools import lru_cache

import jinja2
import jinja2.sandbox
import yaml

from .errors import UsageError

PACKAGE = "dv_spec"
PORTABLE_FOLDERS = ("design", "scaffold", "spec")
# Also loaded, for the few pure helpers portable macros call (the spec's hash
# SQL: `_hash_settings`, `_hash_input`, `default__hash_expression`). Their other
# macros need dbt (adapter, ref) and are never called here; a file that does
# not even compile outside dbt is skipped.
HELPER_FOLDERS = ("supporting", "internal")


def macros_root() -> str:
    """The dbt package's macros/ folder: beside the Python package in the repository or its install."""
    here = os.path.dirname(os.path.abspath(__file__))
    for candidate in (os.path.join(here, "dbt_macros"), os.path.join(os.path.dirname(here), "macros")):
        if os.path.isdir(candidate):
            return candidate
    raise UsageError("cannot find dv-spec's dbt macros (macros/ beside dv_spec_tool/); reinstall dv-spec")


class GenerationError(UsageError):
    """A macro called exceptions.raise_compiler_error: bad design or arguments."""


class _Return(Exception):
    def __init__(self, value):
        super().__init__("return")
        self.value = value


def _return(value):
    raise _Return(value)


class _Exceptions:
    @staticmethod
    def raise_compiler_error(message):
        raise GenerationError(str(message))

    @staticmethod
    def warn(message):
        return ""


class _Namespace(dict):
    """`dv_spec.<macro>`: each macro wrapped so that `return(x)` gives x, as in dbt.

    A mapping, as dbt's package namespaces are: Jinja looks names up as items,
    so private `dv_spec._helper` calls pass the sandbox just as they do in dbt.
    """

    def __init__(self, load_more=None):
        super().__init__()
        self._load_more = load_more

    def __missing__(self, name):
        # Folders beyond design/ are compiled on first need: validate never pays for them.
        if self._load_more is not None:
            load_more, self._load_more = self._load_more, None
            load_more()
            if name in self:
                return self[name]
        raise KeyError(name)

    def add(self, name, macro):
        def call(*args, **kwargs):
            try:
                return macro(*args, **kwargs)
            except _Return as returned:
                return returned.value

        call.__name__ = name
        self[name] = call


def _toyaml(value, sort_keys=False):
    return yaml.safe_dump(value, sort_keys=sort_keys, default_flow_style=False, allow_unicode=True, width=1000)


@lru_cache(maxsize=None)
def macro_runner() -> "MacroRunner":
    """The process-wide runner: macros are compiled once."""
    return MacroRunner()


class MacroRunner:
    """The portable macros, loaded once, callable as `runner.call("name", ...)`.

    `var()` returns `variables`; the command line passes settings explicitly instead.
    """

    def __init__(self, variables: dict | None = None):
        self.variables = variables or {}
        self.env = jinja2.sandbox.SandboxedEnvironment(
            extensions=["jinja2.ext.do", "jinja2.ext.loopcontrols"],
            undefined=jinja2.StrictUndefined,
        )
        self.namespace = _Namespace(load_more=lambda: self._load(PORTABLE_FOLDERS[1:] + HELPER_FOLDERS))
        self.env.globals.update({
            PACKAGE: self.namespace,
            "return": _return,
            "exceptions": _Exceptions(),
            "tojson": lambda value, sort_keys=False: json.dumps(value, sort_keys=sort_keys),
            "fromjson": lambda text, default=None: json.loads(text) if text else default,
            "fromyaml": lambda text, default=None: yaml.safe_load(text) if text else default,
            "toyaml": _toyaml,
            "local_md5": lambda text: hashlib.md5(text.encode("utf-8")).hexdigest(),
            "log": lambda message, info=False: "",
            "print": lambda message: "",
            "var": self._var,
            "execute": True,
        })
        self._load(PORTABLE_FOLDERS[:1])

    def _load(self, folders) -> None:
        for name, macro in _load_macros(self.env, folders).items():
            self.namespace.add(name, macro)

    def _var(self, name, default=None):
        return self.variables.get(name, default)

    @contextmanager
    def project_vars(self, variables: dict):
        """`var()` answers from a project's `vars` inside the block (e.g. the hash settings)."""
        saved, self.variables = self.variables, dict(variables or {})
        try:
            yield self
        finally:
            self.variables = saved

    def call(self, name: str, *args, **kwargs):
        try:
            return self.namespace[name](*args, **kwargs)
        except jinja2.TemplateError as exc:
            raise UsageError(f"dv-spec macro {name}: {exc}") from None


def _load_macros(env, folders) -> dict:
    macros = {}
    for source_name, source in _macro_sources():
        if source_name.split("/")[0] not in folders:
            continue
        try:
            template = env.from_string(source)
        except jinja2.TemplateSyntaxError:
            if source_name.split("/")[0] in HELPER_FOLDERS:
                continue
            raise
        context = template.new_context({})
        for _ in template.root_render_func(context):
            pass
        for name, value in context.vars.items():
            if isinstance(value, jinja2.runtime.Macro):
                macros[name] = value
    return macros


@lru_cache(maxsize=None)
def _macro_sources_cached(root: str) -> tuple:
    found = []
    for folder in PORTABLE_FOLDERS + HELPER_FOLDERS:
        base = os.path.join(root, folder)
        if not os.path.isdir(base):
            continue
        for name in sorted(os.listdir(base)):
            if name.endswith(".sql"):
                with open(os.path.join(base, name), encoding="utf-8") as handle:
                    found.append((f"{folder}/{name}", handle.read()))
    return tuple(found)


def _macro_sources():
    return _macro_sources_cached(macros_root())
