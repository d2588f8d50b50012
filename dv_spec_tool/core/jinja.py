"""Run this package's portable dbt macros from Python, without dbt.

The generators (design resolution, scaffolding, specs) are written once, as
dbt macros under `macros/design/` and `macros/scaffold/`, so that
`dbt run-operation` works for engineers who only have dbt. The command line
renders the very same macros here, in a Jinja environment configured like
dbt's (`do` and loop controls, strict undefined) with the few dbt context members
those macros use: `return`, `exceptions.raise_compiler_error`, `tojson`,
`fromjson`, `fromyaml`, `toyaml`, `local_md5`, `log`, `print` and `var`.

Portable macros call each other through the package namespace
(`dv_spec.x(...)`), as dbt allows, so that `return()` works the same in both.

Unlike dbt, the environment is not sandboxed: it only ever compiles this
package's own macros (the design reaches them as data, never as template
text), and the sandbox's per-attribute and per-call checks were half of the
generators' time. For the same reason the macros are compiled with a few
shortcuts that give the same results (`_CodeGenerator`: return() as a Python
return, direct calls, inline dict lookups) and Jinja's own filters without
their per-call detours (`_direct_filters`). Parity with dbt is tested by
rendering the same macros under `dbt run-operation` (tests/test_scaffold.py,
tests/test_spec_run_operation.py). Compiled macros are kept in a bytecode
cache across runs (`cache_dir()`).
"""

from __future__ import annotations

import hashlib
import json
import os
import types
from contextlib import contextmanager
from functools import lru_cache

import jinja2
import jinja2.bccache
import jinja2.compiler
import jinja2.nodes
import jinja2.runtime
import yaml

import dv_spec_tool
from dv_spec_tool.core.errors import UsageError

PACKAGE = "dv_spec"
PORTABLE_FOLDERS = ("design", "scaffold", "spec")
_COMPILER_VERSION = 6  # of _CodeGenerator and _direct_filters (compiled calls depend on both): part of the cache files' names
# Also loaded, for the few pure helpers portable macros call (the spec's hash
# SQL: `_hash_settings`, `_hash_input`, `default__hash_expression`). Their other
# macros need dbt (adapter, ref) and are never called here; a file that does
# not even compile outside dbt is skipped.
HELPER_FOLDERS = ("supporting", "internal")


def macros_root() -> str:
    """The dbt package's macros/ folder: beside the Python package in the repository or its install."""
    package = os.path.dirname(os.path.abspath(dv_spec_tool.__file__))  # wherever this module sits inside it
    for candidate in (os.path.join(package, "dbt_macros"), os.path.join(os.path.dirname(package), "macros")):
        if os.path.isdir(candidate):
            return candidate
    raise UsageError("cannot find dv-spec's dbt macros (macros/ beside dv_spec_tool/); reinstall dv-spec")


def cache_dir() -> str | None:
    """Where compiled macros are kept between runs: $DV_SPEC_CACHE_DIR, else the user's cache folder.

    An empty $DV_SPEC_CACHE_DIR turns the cache off.
    """
    configured = os.environ.get("DV_SPEC_CACHE_DIR")
    if configured is not None:
        return configured or None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "dv-spec", "jinja")


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    folder = cache_dir()
    if not folder:
        return None
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
    except OSError:
        return None  # a read-only home: compile every run, as without a cache
    return _QuietBytecodeCache(folder, pattern=f"dv_spec_%s_{jinja2.__version__}_{_COMPILER_VERSION}.cache")


class _QuietBytecodeCache(jinja2.FileSystemBytecodeCache):
    """A cache that never fails a run: a file it cannot write is compiled again next time."""

    def dump_bytecode(self, bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


class _Context(jinja2.runtime.Context):
    def call(__self, __obj, *args, **kwargs):  # noqa: N805 (Jinja's signature)
        if type(__obj) in _DIRECT_CALLABLES:
            kwargs.pop("_loop_vars", None)
            kwargs.pop("_block_vars", None)
            try:
                return __obj(*args, **kwargs)
            except StopIteration:
                return __self.environment.undefined("value was undefined because a callable raised a StopIteration exception")
        return super().call(__obj, *args, **kwargs)


class _CodeGenerator(jinja2.compiler.CodeGenerator):
    """Jinja's compiler with shortcuts for our own macros, same results as dbt's rendering.

    * `{{ return(x) }}` written directly in a macro's body (not inside a call
      block or a recursive loop, which are functions of their own) compiles to
      a Python `return x`: it ends the macro, as dbt's exception does, without
      raising and catching one per call. Anywhere else `return()` raises as
      before, and the macro is marked `raises_return`.
    * A call of a method or a macro (`x.append(y)`, `dv_spec.m(...)`) is a
      plain Python call (of the macro's compiled function: _MacroCall.direct):
      such callables never take Jinja's context, which `Context.call` would
      probe them for.
    * `name.key` reads a plain dict's key inline (what Jinja's getattr would
      return for a key that is not a dict method), and `a ~ b` formats with
      `%s` (str(), as Jinja's str_join), without a Python call each.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._return_here = [False]  # whether a Python `return` would leave the macro being compiled
        self._raising = []  # per macro being compiled: whether a return() in it is left to raise

    def _with_return(self, allowed, visit, *args, **kwargs):
        self._return_here.append(allowed)
        try:
            return visit(*args, **kwargs)
        finally:
            self._return_here.pop()

    def visit_Macro(self, node, frame):
        self._raising.append(False)
        try:
            self._with_return(True, super().visit_Macro, node, frame)
        finally:
            raising = self._raising.pop()
        if raising:  # _MacroCall then catches its exception
            self.writeline(f"{frame.symbols.ref(node.name)}.raises_return = True")

    def visit_CallBlock(self, node, frame):
        return self._with_return(False, super().visit_CallBlock, node, frame)

    def visit_For(self, node, frame):
        return self._with_return(self._return_here[-1] and not node.recursive, super().visit_For, node, frame)

    def visit_Output(self, node, frame):
        call = node.nodes[0] if len(node.nodes) == 1 else None
        if (self._return_here[-1] and isinstance(call, jinja2.nodes.Call) and isinstance(call.node, jinja2.nodes.Name)
                and call.node.name == "return" and len(call.args) == 1 and not call.kwargs
                and call.dyn_args is None and call.dyn_kwargs is None):
            self.writeline("return ", node)
            self.visit(call.args[0], frame)
            return
        super().visit_Output(node, frame)

    def visit_Getattr(self, node, frame):
        key = repr(node.attr)
        if isinstance(node.node, jinja2.nodes.Name):
            value = first = frame.symbols.ref(node.node.name)  # `missing` when undefined: Jinja's getattr says so
        else:
            value = self.temporary_identifier()  # the object, computed once, in the first test
            first = None
        self.write("(")
        if node.attr not in _DICT_ATTRIBUTES:
            self.write(f"{value}[{key}] if type(")
            self._write_object(node, frame, first, value)
            self.write(f") in environment.item_first_types and {key} in {value} else ")
            first = value
        method_of = [name for name, python_type in (("dict", dict), ("list", list), ("str", str))
                     if hasattr(python_type, node.attr)]
        if method_of:
            self.write(f"{value}.{node.attr} if type(")
            self._write_object(node, frame, first, value)
            self.write(f") in ({', '.join(method_of)},) else ")
        self.write("environment.getattr(")
        if isinstance(node.node, jinja2.nodes.Name):
            self.visit(node.node, frame)
        else:
            self.write(value)
        self.write(f", {key}))")

    def _write_object(self, node, frame, first, value):
        if first is not None:
            self.write(first)
        else:
            self.write(f"{value} := ")
            self.visit(node.node, frame)

    @jinja2.compiler.optimizeconst
    def visit_Concat(self, node, frame):
        if frame.eval_ctx.volatile or frame.eval_ctx.autoescape:
            return super().visit_Concat(node, frame)
        self.write(f"({'%s' * len(node.nodes)!r} % (")
        for argument in node.nodes:
            self.visit(argument, frame)
            self.write(", ")
        self.write("))")

    @jinja2.compiler.optimizeconst
    def visit_Call(self, node, frame, forward_caller=False):
        if isinstance(node.node, jinja2.nodes.Name) and node.node.name == "return" and self._raising:
            self._raising[-1] = True
        if (forward_caller or not isinstance(node.node, jinja2.nodes.Getattr) or node.dyn_args is not None
                or node.dyn_kwargs is not None or any(jinja2.compiler.is_python_keyword(k.key) for k in node.kwargs)):
            return super().visit_Call(node, frame, forward_caller=forward_caller)
        self.visit(node.node, frame)
        if isinstance(node.node.node, jinja2.nodes.Name) and node.node.node.name == PACKAGE and not node.kwargs:
            self.write(".direct")  # _MacroCall's compiled function, when it can be called as it is
        self.write("(")
        for index, argument in enumerate([*node.args, *node.kwargs]):
            if index:
                self.write(", ")
            self.visit(argument, frame)
        self.write(")")


class _Environment(jinja2.Environment):
    """Jinja's environment with a direct path for the commonest lookup, `mapping.key`.

    Same result as Jinja's getattr (an attribute first, then the item), without
    raising AttributeError for every key of a plain dict.
    """

    context_class = _Context
    code_generator_class = _CodeGenerator
    item_first_types = frozenset({dict})  # completed below, with _Namespace

    def getattr(self, obj, attribute):
        if type(obj) in _ITEM_FIRST and attribute not in _MAPPING_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


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
    so private `dv_spec._helper` calls resolve just as they do in dbt's sandbox.
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
        self[name] = _MacroCall(name, macro)


class _MacroCall:
    """A macro as `dv_spec.<name>` calls it: `return(x)` gives x, as in dbt.

    `direct` is what compiled macros call with positional arguments: the
    macro's compiled function itself (missing arguments default to Jinja's
    `missing`, which the function replaces with the macro's defaults), unless
    the macro takes `caller`, `varargs` or `kwargs` or raises return() (then
    this wrapper, which handles those).
    """

    __slots__ = ("__name__", "macro", "direct")

    def __init__(self, name, macro):
        self.__name__, self.macro, self.direct = name, macro, self
        if not (macro.catch_kwargs or macro.catch_varargs or macro.caller or getattr(macro, "raises_return", False)):
            function = macro._func
            function.__defaults__ = (jinja2.runtime.missing,) * len(macro.arguments)
            self.direct = function

    def __call__(self, *args, **kwargs):
        try:
            if self.direct is not self and not kwargs and len(args) <= len(self.macro.arguments):
                return self.direct(*args)
            return self.macro(*args, **kwargs)
        except _Return as returned:
            return returned.value


# Callables that can never ask for Jinja's context (builtins and macro
# wrappers): _Context.call calls them directly, skipping Jinja's attribute probes.
_DIRECT_CALLABLES = frozenset({types.BuiltinFunctionType, types.MethodWrapperType, _MacroCall, jinja2.runtime.Macro})
# Mappings whose keys _Environment.getattr looks up first, unless the name is a method.
_ITEM_FIRST = _Environment.item_first_types = frozenset({dict, _Namespace})
_MAPPING_ATTRIBUTES = frozenset(dir(_Namespace))
_DICT_ATTRIBUTES = frozenset(dir(dict))  # `x.get` is the method, not the key, as Jinja's getattr has it


def _direct_filters(filters: dict) -> dict:
    """Jinja's own filters without their per-call detours (the same functions, same results):
    the synchronous variant of each async-capable filter (this environment is never async),
    `replace` without its autoescape branch (autoescape is never on here) and `join` of strings as they are."""
    direct = {name: function.__wrapped__ for name, function in filters.items() if getattr(function, "jinja_async_variant", False)}
    direct["replace"] = _replace
    direct["join"] = _join
    return direct


def _replace(s, old, new, count=None):
    return str(s).replace(str(old), str(new), -1 if count is None else count)


@jinja2.pass_eval_context
def _join(eval_ctx, value, d="", attribute=None):
    """Jinja's join, joining a list of strings as it is (without str() of each)."""
    if attribute is None and type(value) in (list, tuple) and type(d) is str and not eval_ctx.autoescape:
        try:
            return d.join(value)
        except TypeError:  # not all strings
            pass
    return jinja2.filters.sync_do_join(eval_ctx, value, d, attribute)


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
        self.env = _Environment(
            extensions=["jinja2.ext.do", "jinja2.ext.loopcontrols"],
            undefined=jinja2.StrictUndefined,
            loader=jinja2.FunctionLoader(_macro_source),
            bytecode_cache=_bytecode_cache(),
            auto_reload=False,
        )
        self.env.filters.update(_direct_filters(self.env.filters))
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
    for source_name, _ in _macro_sources():
        if source_name.split("/")[0] not in folders:
            continue
        try:
            template = env.get_template(source_name)
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


def _macro_source(name: str):
    """The loader's view of one macro file: (source, file name, always up to date)."""
    source = dict(_macro_sources()).get(name)
    if source is None:
        return None
    return source, os.path.join(macros_root(), name), lambda: True
