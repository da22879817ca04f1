"""/openapi.json: spectree's document, completed from the app itself.

Each route's doc(...) says what is its own: its body, its query, the answers only it gives. What
every route of a kind may answer is added here once, read from the routes, so a new route gets it
without saying so:
- 400 everywhere: a NUL in the URL; on operations with a JSON body, a body that is not a JSON
  object; on staff changes, a missing or stale X-CSRFToken;
- 401 and the session cookie behind login_required; 403 behind admin_only, and on every POST,
  PUT, PATCH and DELETE sent by another site (server/security.py);
- 404 where the path has parameters, 413 where a body is read, 429 with Retry-After where a rate
  limit applies (server/extensions.py limit()), 503 with Retry-After everywhere (no database
  connection to be had: nothing was written, retry);
- path parameters as their converters match them (ids 0 to 2**31 - 1, one URL segment);
- in bodies and query strings, no string may hold a NUL and no integer need more than 32 bits
  (server/inputs.py).
A method a path does not have is a 405 with Allow (components.responses.MethodNotAllowed).
Every error answer is server/errors.py's body: error, message and, for a 422, per-field messages.
"""
import copy
import re

from flask import current_app
from flask_login import login_required
from spectree import SpecTree
from werkzeug.routing import AnyConverter, UnicodeConverter

from server.access import admin_only
from server.inputs import INT_MAX

UNSAFE = ("post", "put", "patch", "delete")
NO_NUL = "^[^\\u0000]*$"
# Set by doc(...): an answer that is a file (media types of its 2xx), a body larger than the
# app's MAX_CONTENT_LENGTH (an upload).
EXTRAS: dict = {}
DESCRIPTION = (
    "Every error is one JSON body: `error` (a code), `message` (in the Accept-Language's language, Chinese "
    "by default) and, for a 422, `fields` (a message per field). A method a path does not have is a 405 "
    "with Allow. Staff operations need the session cookie of POST /api/staff/login and, to change "
    "anything, its csrf_token as X-CSRFToken. Not listed: GET /api/stream, the staff's live event stream "
    "(text/event-stream, login required), which never ends.")
RETRY = {"Retry-After": {"description": "Seconds to wait before trying again.", "required": True,
                         "schema": {"type": "integer", "minimum": 1}}}
_LOGIN = login_required(lambda: None).__code__
_ADMIN = admin_only(lambda: None).__code__


class Document(SpecTree):
    """spectree, whose document is completed for each app once (see the module's docstring)."""

    @property
    def spec(self):
        done = current_app.extensions.get("openapi")
        if done is None:  # spectree builds its part once per process; each app completes a copy
            done = current_app.extensions["openapi"] = complete(copy.deepcopy(super().spec), current_app)
        return done


def complete(doc: dict, app) -> dict:
    """Add to `doc` what the routes of `app` may answer besides what their doc(...) says."""
    error = {"application/json": {"schema": {"$ref": _error_ref(doc)}}}
    doc["info"]["description"] = DESCRIPTION
    components = doc["components"]
    components.setdefault("securitySchemes", {}).update({
        "session": {"type": "apiKey", "in": "cookie", "name": app.config["SESSION_COOKIE_NAME"],
                    "description": "The staff session, set by POST /api/staff/login."},
        "csrf": {"type": "apiKey", "in": "header", "name": app.config["WTF_CSRF_HEADERS"][0],
                 "description": "The csrf_token of /api/staff/login or /api/staff/me, on every staff change."}})
    components.setdefault("responses", {})["MethodNotAllowed"] = {
        "description": "A method this path does not have (TRACE, say): Allow lists those it has.",
        "headers": {"Allow": {"schema": {"type": "string"}, "required": True}}, "content": error}
    requests = set()
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:[^<>]*:)?(\w+)>", r"{\1}", rule.rule)
        route = _Route(app, rule)
        for method, op in doc["paths"].get(path, {}).items():
            if method.upper() in rule.methods:
                requests |= _refs(op.get("requestBody", {}))
                _complete(op, method, route, error)
    for name in _reachable(components["schemas"], requests):
        _bounded(components["schemas"][name])
    return doc


class _Route:
    """What a route is, read from its view and the app: behind a login, head office only, limited."""

    def __init__(self, app, rule):
        from server import PUBLIC_BLUEPRINTS
        from server.extensions import LIMITED_BLUEPRINTS, LIMITED_VIEWS

        chain = list(_chain(app.view_functions[rule.endpoint]))
        codes = {fn.__code__ for fn in chain if hasattr(fn, "__code__")}
        blueprint = rule.endpoint.rpartition(".")[0]
        self.rule, self.login, self.admin = rule, _LOGIN in codes, _ADMIN in codes
        self.limited = blueprint in LIMITED_BLUEPRINTS or any(fn in LIMITED_VIEWS for fn in chain)
        self.public = blueprint in PUBLIC_BLUEPRINTS or rule.endpoint == "staff.login"  # no CSRF token
        self.extras = next((EXTRAS[fn] for fn in chain if fn in EXTRAS), {})
        self.max_bytes = self.extras.get("max_bytes") or app.config["MAX_CONTENT_LENGTH"]


def _complete(op: dict, method: str, route: _Route, error: dict) -> None:
    """One operation's answers, security and parameters, as its route makes them."""
    answers, body = op.setdefault("responses", {}), op.get("requestBody", {}).get("content", {})
    csrf = method in UNSAFE and not route.public
    if csrf:
        op["security"] = [{"session": [], "csrf": []}] + ([] if route.login else [{}])
    elif route.login:
        op["security"] = [{"session": []}]
    bad = (["a NUL in the URL"] + (["a body that is not a JSON object"] if "application/json" in body else [])
           + (["(logged in) no valid X-CSRFToken"] if csrf else []))
    _answer(answers, "400", "Malformed: " + "; ".join(bad) + ".", error)
    if route.login:
        _answer(answers, "401", "Not logged in (or the session ended).", error)
    refused = (["head office only"] if route.admin else []) + (["sent by another site"] if method in UNSAFE else [])
    if refused:
        _answer(answers, "403", "Not allowed: " + "; ".join(refused) + ".", error)
    if route.rule.arguments:
        _answer(answers, "404", "Nothing at this address.", error)
        _path_parameters(op, route.rule)
    if body:
        _answer(answers, "413", f"The body is larger than {route.max_bytes:,} bytes.", error)
    if route.limited:
        _answer(answers, "429", "Too many requests from this address (or for this number).", error)
    _answer(answers, "503", "No database connection to be had: nothing was done; retry.", error)
    for status in ("429", "503"):
        if status in answers:
            answers[status].setdefault("headers", {}).update(RETRY)
    if answers.get("422", {}).get("description") == "Unprocessable Content":  # spectree's
        answers["422"]["description"] = "Values refused: `fields` gives each one's message."
    if route.extras.get("media"):  # a file, beside (or instead of) the JSON answer
        content = answers[min(s for s in answers if s.startswith("2"))].setdefault("content", {})
        content.update({m: {"schema": {"type": "string", "format": "binary"}} for m in route.extras["media"]})
    for parameter in op.get("parameters", ()):
        if parameter["in"] != "path":
            parameter["schema"] = _not_null(parameter["schema"])
            _bounded(parameter["schema"])


def _chain(view):
    """The view and every function it wraps (login_required, limits, admin_only...)."""
    while view is not None:
        yield view
        view = getattr(view, "__wrapped__", None)


def _answer(answers: dict, status: str, description: str, content: dict) -> None:
    if status not in answers:
        answers[status] = {"description": description, "content": content}


def _error_ref(doc: dict) -> str:
    name = next(n for n in doc["components"]["schemas"] if n.split(".")[0] == "ErrorBody" and n.count(".") == 1)
    return f"#/components/schemas/{name}"


def _path_parameters(op: dict, rule) -> None:
    """Each path parameter's schema, as its converter matches it."""
    for parameter in op.get("parameters", ()):
        converter = rule._converters.get(parameter["name"]) if parameter["in"] == "path" else None
        if isinstance(converter, AnyConverter):
            parameter["schema"] = {"type": "string", "enum": sorted(converter.items)}
        elif isinstance(converter, UnicodeConverter):
            parameter["schema"] = {"type": "string", "pattern": "^[^/\\u0000]+$"}
        elif getattr(converter, "num_convert", None) is int:
            parameter["schema"] = {"type": "integer", "minimum": converter.min or 0,
                                   "maximum": converter.max if converter.max is not None else INT_MAX}


def _not_null(schema: dict) -> dict:
    """A query or header value is a string or absent, never null (Optional[...] = None)."""
    branches = [b for b in schema.get("anyOf", ()) if b != {"type": "null"}]
    if len(branches) == 1:
        schema = {**{k: v for k, v in schema.items() if k != "anyOf"}, **branches[0]}
    if schema.get("default", 0) is None:
        schema = {k: v for k, v in schema.items() if k != "default"}
    return schema


def _refs(node) -> set[str]:
    """Names of the component schemas `node` refers to."""
    if isinstance(node, dict):
        found = {node["$ref"].rsplit("/", 1)[-1]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node))
    return set()


def _reachable(schemas: dict, names: set[str]) -> set[str]:
    seen, todo = set(), list(names)
    while todo:
        name = todo.pop()
        if name not in seen and name in schemas:
            seen.add(name)
            todo.extend(_refs(schemas[name]))
    return seen


def _bounded(schema) -> None:
    """What the server refuses in any input (server/inputs.py), written into its schema."""
    if isinstance(schema, list):
        for item in schema:
            _bounded(item)
        return
    if not isinstance(schema, dict):
        return
    kind = schema.get("type")
    if kind == "string" and not {"pattern", "enum", "const", "format"} & schema.keys():
        schema["pattern"] = NO_NUL
    elif kind == "integer":
        schema.setdefault("minimum", -INT_MAX)
        schema.setdefault("maximum", INT_MAX)
    for key, value in schema.items():
        if key in ("properties", "$defs"):
            for item in value.values():
                _bounded(item)
        elif key in ("items", "additionalProperties", "anyOf", "oneOf", "allOf", "prefixItems"):
            _bounded(value)
