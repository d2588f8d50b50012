"""The studio's local HTTP server: a thin edge over the core.

Each request becomes one call of the functions the command line uses
(`load_project`, `build_design`, `validate`, `design_edit`, `layout`, and the
spec and prompt builders when they are installed) and the answer is the new
diagram model as JSON. Nothing here decides anything about the design.

Safety:

* binds to 127.0.0.1 only;
* the `Host` header must name that address (or `localhost`) and the port,
  which stops DNS-rebinding pages; an `Origin` (or `Sec-Fetch-Site`) from
  anywhere else is refused;
* every API call carries the per-session token (`X-DV-Spec-Token`); the page
  itself is only served with `?token=` in its address (the address
  `dv-spec studio` prints and opens), so another local user cannot read it;
* bodies are JSON of at most 1 MB; the page's Content-Security-Policy
  allows only its own scripts and styles;
* files are written only by `design_edit` (under the model paths),
  `layout` (`.dv-spec/layout.json`) and undo/redo, which puts back the exact
  text an edit replaced, only when the file is still as that edit left it.

Every edit is recorded in the session's history (kept by the server, so it
survives a reload of the page); destructive and re-parenting edits first come
back as HTTP 409 with a `confirm` question naming what they affect, and are
made when the page sends them again with `confirmed: true`.
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from dv_spec_tool.core import yamlpos
from dv_spec_tool.core.design import build_design
from dv_spec_tool.core.errors import UsageError
from dv_spec_tool.core.files import load_json, too_deep
from dv_spec_tool.core.project import load_project
from dv_spec_tool.edit import design_edit
from dv_spec_tool.generate import impact, prompts, spec
from dv_spec_tool.importers.diagrams import write_diagram
from dv_spec_tool.importers.diagrams.from_design import design_to_diagram
from dv_spec_tool.interfaces.studio import layout
from dv_spec_tool.interfaces.studio.history import History
from dv_spec_tool.interfaces.studio.view import diagram
from dv_spec_tool.validate import validate

HOST = "127.0.0.1"
MAX_BODY = 1_000_000
MAX_DEPTH = yamlpos.MAX_DEPTH  # the one nesting limit of every input
STATIC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")
# The only files served: name -> content type.
STATIC_FILES = {
    "studio.css": "text/css; charset=utf-8",
    "studio.js": "text/javascript; charset=utf-8",
    "api.js": "text/javascript; charset=utf-8",
    "diagram.js": "text/javascript; charset=utf-8",
    "inspector.js": "text/javascript; charset=utf-8",
    "markdown.js": "text/javascript; charset=utf-8",
    "kinds.js": "text/javascript; charset=utf-8",
    "favicon.svg": "image/svg+xml",
}
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


class Studio:
    """The studio's state: the project root and the session token. Its methods are the API."""

    def __init__(self, root: str, token: str | None = None):
        project = load_project(root)  # a bad project fails here, before a browser opens
        self.root = os.path.abspath(root)
        self.token = token or secrets.token_urlsafe(24)
        self.lock = threading.Lock()
        self.history = History(self.root, project.model_paths)

    # ---------------------------------------------------------------- reads
    def design(self):
        return build_design(load_project(self.root))

    def state(self) -> dict:
        design = self.design()
        model = diagram(design, validate(design), layout.read_positions(self.root))
        model["features"] = features()
        model["history"] = self.history.summary()
        return model

    def impact(self, body: dict) -> dict:
        """What deleting or renaming an entity would affect (nothing is written)."""
        design = self.design()
        name = body.get("name")
        if not isinstance(name, str) or name not in design.entities:
            raise UsageError(f"no design entity named `{name}`")
        users = impact.dependents(design, name)
        result = {"name": name, "dependents": [{"name": d.name, "kind": d.kind, "relation": d.relation} for d in users]}
        if body.get("action") == "rename":
            to = design_edit.check_name(body.get("to"))
            if to != name and (to in design.entities or to in design.project.nodes):
                raise UsageError(f"`{to}` is already taken; choose another name")
            plan = impact.rename_implications(design, name, design_edit.check_name(body.get("to")),
                                              keep_physical=not body.get("physical"))
            result.update({"to": plan.new, "design_changes": plan.design_changes, "implications": plan.implications,
                           "physical": {k: impact.physical_names(design, design.kind_of(name), plan.new).get(k)
                                        for k in impact.PHYSICAL_KEYS.get(design.kind_of(name), ())},
                           "current": {k: (design.get(name).dv or {}).get(k)
                                       for k in impact.PHYSICAL_KEYS.get(design.kind_of(name), ())}})
        return result

    def spec(self, name: str) -> dict:
        """The entity's spec and starter prompt (when the spec builders are installed)."""
        available = features()
        design = self.design()
        if name not in design.entities:
            raise UsageError(f"no design entity named `{name}`")
        result = {"name": name}
        if available.get("spec"):
            result["spec"] = _entity_spec(design, name)
        if available.get("prompt"):
            result["prompt"] = _entity_prompt(design, name)
        if len(result) == 1:
            raise UsageError("specs and prompts are not available in this installation of dv-spec")
        return result

    def export(self, fmt: str) -> dict:
        """`dv-spec export FORMAT`'s text for the whole design (entities with errors are left out and named)."""
        suffixes = {"lucidchart": "csv", "drawio": "drawio", "mermaid": "mmd"}
        if fmt not in suffixes:
            raise _NotFound(f"no such export: {fmt} (one of: {', '.join(suffixes)})")
        design = self.design()
        broken = sorted({f.entity for f in validate(design) if f.severity == "error" and f.entity})
        names = sorted(n for n in design.entities if n not in broken)
        diagram = design_to_diagram(design.resolve(names), set(names), title=design.project.name)
        return {"format": fmt, "filename": f"{design.project.name}.{suffixes[fmt]}", "skipped": broken,
                "text": write_diagram(fmt, diagram, catalog=design.project.name)}

    # --------------------------------------------------------------- writes
    def create(self, body: dict) -> dict:
        name = body.get("name")
        with self.history.edit(f"add {name}"):
            return self._create(name, body)

    def _create(self, name, body: dict) -> dict:
        written = design_edit.save_entity(self.root, name, body.get("dv"), body.get("description") or "",
                                          file=body.get("file") or None, create=True)
        if "x" in body and "y" in body:
            self._move({name: {"x": body["x"], "y": body["y"]}})
        return self._after(f"added `{name}` to {written}")

    def update(self, name: str, body: dict) -> dict:
        with self.history.edit(f"edit {name}"):
            return self._update(name, body)

    def _update(self, name: str, body: dict) -> dict:
        description = body.get("description")
        written = design_edit.save_entity(self.root, name, body.get("dv"), description, body.get("version"), create=False)
        return self._after(f"saved `{name}` in {written}")

    def rename(self, name: str, body: dict) -> dict:
        """Rename an entity (and the references to it); `dv`, when given, is its design saved with
        the new name in the same step of the history (a form's other changes, kept physical names)."""
        new = body.get("to")
        with self.history.edit(f"rename {name} to {new}"):
            written = design_edit.rename_entity(self.root, name, new, body.get("version"))
            positions = layout.read_positions(self.root)
            if name in positions:
                positions[new] = positions.pop(name)
                layout.write_positions(self.root, positions)
            if body.get("dv") is not None:
                entry = self.design().entities[new]
                design_edit.save_entity(self.root, new, body.get("dv"), body.get("description"),
                                        design_edit.entity_version(entry.description, entry.dv), create=False)
            return self._after(f"renamed `{name}` to `{new}` in {', '.join(written)}")

    def delete(self, name: str, body: dict) -> dict:
        design = self.design()
        users = impact.dependents(design, name) if name in design.entities else []
        if users and not body.get("confirmed"):
            raise NeedsConfirmation(f"Delete `{name}`? {len(users)} entit{'y' if len(users) == 1 else 'ies'} "
                                    f"depend on it and will point at nothing: {impact.describe_dependents(users)}.")
        with self.history.edit(f"delete {name}"):
            return self._delete(name, body)

    def _delete(self, name: str, body: dict) -> dict:
        written = design_edit.delete_entity(self.root, name, body.get("version"))
        positions = layout.read_positions(self.root)
        if positions.pop(name, None) is not None:
            layout.write_positions(self.root, positions)
        return self._after(f"removed `{name}` from {written}")

    def connect(self, body: dict) -> dict:
        design = self.design()
        owner, dv = design_edit.connect(design, body.get("from"), body.get("to"))
        entry = design.entities[owner]
        for key in ("parent", "hub"):
            was = entry.dv.get(key) if isinstance(entry.dv, dict) else None
            if isinstance(was, str) and was and was != dv.get(key) and not body.get("confirmed"):
                raise NeedsConfirmation(
                    f"`{owner}` hangs off `{was}` now. Connecting it to `{dv[key]}` moves it: its {key} becomes "
                    f"`{dv[key]}` and `{was}` loses it (its parent hash key changes: a migration for loaded rows). "
                    f"Move `{owner}` to `{dv[key]}`?")
        version = design_edit.entity_version(entry.description, entry.dv)
        with self.history.edit(f"connect {body.get('from')} and {body.get('to')}"):
            written = design_edit.save_entity(self.root, owner, dv, None, version)
        return self._after(f"connected `{body.get('from')}` and `{body.get('to')}` ({owner} in {written})")

    def move(self, body: dict) -> dict:
        if body.get("reset"):
            saved = layout.read_positions(self.root)
            if saved and not body.get("confirmed"):
                raise NeedsConfirmation(f"Auto layout forgets the {len(saved)} position(s) you chose "
                                        "(.dv-spec/layout.json) and places every shape again. Go on?")
            with self.history.edit("auto layout"):
                path = layout.layout_path(self.root)
                if os.path.exists(path):
                    os.unlink(path)
            return self._after("laid out automatically")
        with self.history.edit("move"):
            self._move(body.get("positions"))
        return self._after("")

    def undo(self) -> dict:
        return self._after(f"undid: {self.history.undo()}")

    def redo(self) -> dict:
        return self._after(f"redid: {self.history.redo()}")

    def _move(self, positions) -> None:
        wanted = layout.clean_positions(positions)
        names = set(self.design().entities)
        saved = {n: p for n, p in layout.read_positions(self.root).items() if n in names}
        saved.update({n: p for n, p in wanted.items() if n in names})
        layout.write_positions(self.root, saved)

    def _after(self, message: str) -> dict:
        state = self.state()
        state["message"] = message
        return state


def features() -> dict:
    """Which optional builders this installation has (the page shows only those)."""
    found = {}
    try:
        from dv_spec_tool.generate import spec  # noqa: F401

        found["spec"] = hasattr(spec, "SpecBuilder") and hasattr(spec, "spec_documents")
    except ImportError:
        found["spec"] = False
    try:
        from dv_spec_tool.generate import prompts

        found["prompt"] = hasattr(prompts, "prompt_documents")
    except ImportError:
        found["prompt"] = False
    return found


def _entity_spec(design, name: str) -> str:
    """`dv-spec spec --select NAME`'s text."""
    return spec.spec_documents(spec.SpecBuilder(design), [name], [], "markdown")[0].text


def _entity_prompt(design, name: str) -> str:
    """`dv-spec prompts --select NAME`'s text."""
    return prompts.prompt_documents(spec.SpecBuilder(design), [name], [])[0].text


# ------------------------------------------------------------------ HTTP

class _Handler(BaseHTTPRequestHandler):
    server_version = "dv-spec-studio"
    sys_version = ""
    studio: Studio = None  # set per server
    port: int = 0
    quiet = True

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        if not self.quiet:
            super().log_message(format, *args)

    # --------------------------------------------------------- dispatch
    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_PUT(self):
        self._handle("PUT")

    def do_DELETE(self):
        self._handle("DELETE")

    def _handle(self, method: str) -> None:
        try:
            problem = self._refused()
            if problem:
                return self._send_json(HTTPStatus.FORBIDDEN, {"error": problem})
            url = urlsplit(self.path)
            path = url.path
            if method == "GET" and path in ("/", "/index.html"):
                return self._page(parse_qs(url.query).get("token", [""])[0])
            if method == "GET" and path.startswith("/static/"):
                return self._static(path[len("/static/"):])
            if not path.startswith("/api/"):
                return self._send_json(HTTPStatus.NOT_FOUND, {"error": f"no such page: {path}"})
            if not _same(self.headers.get("X-DV-Spec-Token", ""), self.studio.token):
                return self._send_json(HTTPStatus.FORBIDDEN, {"error": "missing or wrong session token; "
                                                              "open the address dv-spec studio printed"})
            body = self._body(required=method != "DELETE") if method in ("POST", "PUT", "DELETE") else {}
            with self.studio.lock:
                result = self._api(method, [unquote(p) for p in path[len("/api/"):].split("/") if p], body)
                if "history" in result:  # as it is after the edit's step was recorded
                    result["history"] = self.studio.history.summary()
            self._send_json(HTTPStatus.OK, result)
        except NeedsConfirmation as exc:
            self._send_json(HTTPStatus.CONFLICT, {"error": str(exc), "confirm": str(exc)})
        except design_edit.EditConflict as exc:
            self._send_json(HTTPStatus.CONFLICT, {"error": str(exc)})
        except UsageError as exc:
            self._send_json(HTTPStatus.BAD_REQUEST, {"error": str(exc)})
        except _NotFound as exc:
            self._send_json(HTTPStatus.NOT_FOUND, {"error": str(exc)})
        except Exception as exc:  # a bug of ours: one line to the page, not a traceback
            if os.environ.get("DV_SPEC_DEBUG"):
                raise
            self._send_json(HTTPStatus.INTERNAL_SERVER_ERROR,
                            {"error": f"internal error: {type(exc).__name__}: {exc} (please report it)"})

    def _api(self, method: str, parts: list, body: dict) -> dict:
        studio = self.studio
        route = (method, parts[0] if parts else "", len(parts))
        if route == ("GET", "design", 1):
            return studio.state()
        if route == ("POST", "entities", 1):
            return studio.create(body)
        if route == ("PUT", "entities", 2):
            return studio.update(parts[1], body)
        if route == ("DELETE", "entities", 2):
            return studio.delete(parts[1], body)
        if route == ("POST", "entities", 3) and parts[2] == "rename":
            return studio.rename(parts[1], body)
        if route == ("GET", "entities", 3) and parts[2] == "spec":
            return studio.spec(parts[1])
        if route == ("GET", "export", 2):
            return studio.export(parts[1])
        if route == ("POST", "connect", 1):
            return studio.connect(body)
        if route == ("PUT", "layout", 1):
            return studio.move(body)
        if route == ("POST", "impact", 1):
            return studio.impact(body)
        if route == ("POST", "undo", 1):
            return studio.undo()
        if route == ("POST", "redo", 1):
            return studio.redo()
        raise _NotFound(f"no such API call: {method} /api/{'/'.join(parts)}")

    # --------------------------------------------------------- safety
    def _refused(self) -> str:
        allowed = {f"{HOST}:{self.port}", f"localhost:{self.port}"}
        host = (self.headers.get("Host") or "").lower()
        if host not in allowed:
            return f"refused: the studio answers only to http://{HOST}:{self.port}/ (Host was {host or 'missing'})"
        origin = self.headers.get("Origin")
        if origin is not None and origin.lower() not in {f"http://{a}" for a in allowed}:
            return f"refused: requests from {origin} are not allowed"
        if (self.headers.get("Sec-Fetch-Site") or "same-origin") not in ("same-origin", "none"):
            return "refused: cross-site request"
        return ""

    def _body(self, required: bool) -> dict:
        length = self.headers.get("Content-Length")
        if length is None or not length.isdigit() or (required and int(length) == 0):
            raise UsageError("a JSON body (with Content-Length) is required")
        if int(length) > MAX_BODY:
            raise UsageError("request body too large")
        raw = self.rfile.read(int(length)) if int(length) else b"{}"
        if int(length) and not (self.headers.get("Content-Type") or "").startswith("application/json"):
            raise UsageError("send JSON (Content-Type: application/json)")
        try:
            body = load_json(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise UsageError(f"the body is not JSON: {exc}") from None
        if too_deep(body, MAX_DEPTH):
            raise UsageError(f"the body is nested deeper than {MAX_DEPTH} levels")
        if not isinstance(body, dict):
            raise UsageError("the body must be a JSON object")
        return body

    # --------------------------------------------------------- answers
    def _headers(self, status, content_type: str, length: int) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(length))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cross-Origin-Resource-Policy", "same-origin")
        self.send_header("Content-Security-Policy", CSP)
        self.end_headers()

    def _send_json(self, status, payload: dict) -> None:
        data = json.dumps(payload, sort_keys=True, allow_nan=False).encode("utf-8")
        self._headers(status, "application/json; charset=utf-8", len(data))
        self.wfile.write(data)

    def _page(self, token: str) -> None:
        if not _same(token, self.studio.token):
            text = ("<!doctype html><title>dv-spec studio</title><p>Open the address that "
                    "<code>dv-spec studio</code> printed (it carries this session's token).</p>")
            data = text.encode("utf-8")
            self._headers(HTTPStatus.FORBIDDEN, "text/html; charset=utf-8", len(data))
            self.wfile.write(data)
            return
        with open(os.path.join(STATIC, "index.html"), encoding="utf-8") as handle:
            text = handle.read().replace("{{token}}", self.studio.token)
        data = text.encode("utf-8")
        self._headers(HTTPStatus.OK, "text/html; charset=utf-8", len(data))
        self.wfile.write(data)

    def _static(self, name: str) -> None:
        content_type = STATIC_FILES.get(name)
        if content_type is None:
            return self._send_json(HTTPStatus.NOT_FOUND, {"error": f"no such file: {name}"})
        with open(os.path.join(STATIC, name), "rb") as handle:
            data = handle.read()
        self._headers(HTTPStatus.OK, content_type, len(data))
        self.wfile.write(data)


class _NotFound(Exception):
    pass


class NeedsConfirmation(UsageError):
    """The edit would remove or move something: asked first (HTTP 409 with `confirm`)."""


def _same(given: str, token: str) -> bool:
    """Constant-time comparison; any text (even non-ASCII) is simply not the token."""
    return hmac.compare_digest(given.encode("utf-8", "replace"), token.encode("utf-8"))


class StudioServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def make_server(root: str, port: int = 0, token: str | None = None, quiet: bool = True) -> StudioServer:
    """A studio server bound to 127.0.0.1:`port` (0: a free port); `.url` is the address to open."""
    studio = Studio(root, token)
    handler = type("Handler", (_Handler,), {"studio": studio, "quiet": quiet})
    try:
        server = StudioServer((HOST, port), handler)
    except OSError as exc:
        raise UsageError(f"cannot listen on {HOST}:{port} ({exc.strerror}); pass --port N (0 picks a free one)") from None
    handler.port = server.server_address[1]
    server.studio = studio
    server.url = f"http://{HOST}:{handler.port}/?token={studio.token}"
    return server
