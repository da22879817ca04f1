"""Small HTTP helpers shared by the routes: parse JSON in, serialise schemas out."""
import json

from flask import current_app, request
from flask_login import current_user
from pydantic import BaseModel
from sqlalchemy import inspect

from server.cache import attach, rebuild, row_of
from server.db import get_db
from server.errors import ApiError
from server.inputs import INT_MAX, check_json


def body(model: type[BaseModel]) -> BaseModel:
    """The request's JSON body validated as `model` (422 with per-field messages if not)."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError("bad_json", 400)
    check_json(data, model.model_fields)
    known = {name: _whole(value) for name, value in data.items() if name in model.model_fields}
    # Strictly, as JSON: a boolean, number or string as the document says (no "yes" for true,
    # no "1" for 1, no 0 for false); dates and times as ISO strings.
    return model.model_validate_json(json.dumps(known), strict=True)


def _whole(value):
    """`value` with every float that is a whole number (2.0) as an int, as JSON Schema counts it
    (one beyond 32 bits stays a float, which no integer field takes)."""
    if isinstance(value, float) and value.is_integer() and abs(value) <= INT_MAX:
        return int(value)
    if isinstance(value, list):
        return [_whole(item) for item in value]
    if isinstance(value, dict):
        return {key: _whole(item) for key, item in value.items()}
    return value


def out(model: type[BaseModel], data, status: int = 200, **headers):
    """Serialise `data` through the public schema `model`: only its fields leave the server.

    pydantic writes the JSON itself (UTF-8, Chinese unescaped: a third fewer bytes for names
    and addresses), rather than a dict that Flask's encoder walks again."""
    return current_app.response_class(model.model_validate(data).model_dump_json(), status, headers,
                                      mimetype="application/json")


def json_bytes(data) -> bytes:
    """Compact UTF-8 JSON, for bodies built once and served many times from a cache."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def me():
    """The logged-in employee, in the request's session (routes are guarded by login_required):
    the user itself when the request loaded it, else a copy of the worker's shared cached row."""
    user = current_user._get_current_object()
    if inspect(user).session is not None:
        return attach(user, get_db())
    return rebuild(type(user), row_of(user), get_db())


def idempotency_key() -> str | None:
    """The request's Idempotency-Key header: up to 64 printable ASCII characters, or None."""
    key = request.headers.get("Idempotency-Key", "")
    if len(key) > 64 or not key.isprintable() or not key.isascii():
        raise ApiError("invalid", 400)
    return key or None


def conditional(response):
    """Tag a GET response with an ETag of its body; an unchanged board answers 304."""
    response.add_etag()
    environ = request.environ
    if "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ:
        return response.make_conditional(request)
    return response  # nothing to compare with: werkzeug's checks would only cost time


def client_ip() -> str:
    """The client's address (behind PROXY_COUNT proxies, the forwarded one), for the audit log."""
    return request.remote_addr or ""
