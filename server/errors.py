"""API errors: one exception family, one handler each, JSON bodies in the client's language."""
import logging

import sqlalchemy.exc
from flask import jsonify
from flask_wtf.csrf import CSRFError
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

from server.i18n import message

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error a client can act on: HTTP status, a message code, optional extras."""

    status = 400

    def __init__(self, code: str, status: int | None = None, **extra):
        super().__init__(code)
        self.code = code
        self.status = status or self.status
        self.extra = extra


class Invalid(ApiError):
    """422 with per-field message codes, e.g. Invalid(phone="phone_invalid")."""

    status = 422

    def __init__(self, **fields: str):
        super().__init__("validation")
        self.fields = fields


class NotFound(ApiError):
    status = 404


class Conflict(ApiError):
    status = 409


class TooMany(ApiError):
    """429 with Retry-After: the seconds until a request would be accepted again."""

    status = 429

    def __init__(self, retry_after: int):
        super().__init__("too_many")
        self.retry_after = retry_after


def _field_code(err: dict) -> str:
    if err["type"] == "missing":
        return "required"
    return err["type"] if err["type"] in _OWN_CODES else "invalid"


TOO_LONG = ("string_too_long", "too_long")  # pydantic's codes: a string, a list
_OWN_CODES = {"name_invalid", "phone_invalid", "slot_required", "consent_required", "note_too_long",
              "checkin_code_wrong", *TOO_LONG}


def validation_body(fields: dict[str, str]) -> dict:
    return {"error": "validation", "message": message("validation"),
            "fields": {name: message(code) for name, code in fields.items()}}


def register(app):
    @app.errorhandler(Invalid)
    def _invalid(e: Invalid):
        return jsonify(validation_body(e.fields)), 422

    @app.errorhandler(ValidationError)
    def _pydantic(e: ValidationError):
        fields, limits = {}, {}
        for err in e.errors():
            name = str(err["loc"][0]) if err["loc"] else (err.get("ctx") or {}).get("field", "body")
            fields.setdefault(name, _field_code(err))
            if err["type"] in TOO_LONG:
                limits.setdefault(name, err["ctx"]["max_length"])
        body = validation_body(fields)
        for name, longest in limits.items():  # "at most 40 characters" (or items, for a list)
            if fields[name] in TOO_LONG:
                body["fields"][name] = message(fields[name]).format(n=longest)
        return jsonify(body), 422

    @app.errorhandler(ApiError)
    def _api(e: ApiError):
        if e.status in (401, 403) and e.code != "login_required":
            _log_denied(e.code)
        headers = {"Retry-After": str(e.retry_after)} if isinstance(e, TooMany) else {}
        return jsonify(error=e.code, message=message(e.code), **e.extra), e.status, headers

    @app.errorhandler(CSRFError)
    def _csrf(e: CSRFError):
        return jsonify(error="csrf", message=message("csrf")), 400

    @app.errorhandler(HTTPException)
    def _http(e: HTTPException):
        code = {400: "bad_json", 401: "login_required", 403: "forbidden", 404: "not_found",
                405: "method_not_allowed", 413: "too_large", 429: "too_many"}.get(e.code, "invalid")
        headers = {"Retry-After": _retry_after()} if e.code == 429 else {}
        if e.code == 405:  # TRACE and any other method the path lacks: which ones it has (RFC 9110)
            headers = {"Allow": ", ".join(sorted(e.valid_methods or ()))}
        return jsonify(error=code, message=message(code)), e.code, headers

    @app.errorhandler(sqlalchemy.exc.TimeoutError)
    @app.errorhandler(sqlalchemy.exc.OperationalError)
    def _database_unavailable(e: Exception):
        # No connection to be had (pool exhausted, server full or restarting, SQLite busy):
        # nothing was written by this request, so the client may simply retry (with its
        # Idempotency-Key). Any other operational error is a bug: a 500, logged in full.
        detail = str(getattr(e, "orig", None) or type(e).__name__).splitlines()[0][:200]
        if not (isinstance(e, sqlalchemy.exc.TimeoutError) or e.connection_invalidated
                or any(sign in detail.lower() for sign in UNAVAILABLE)):
            return _crash(e)
        log.warning("database unavailable: %s", detail)
        return jsonify(error="busy", message=message("busy")), 503, {"Retry-After": "2"}

    @app.errorhandler(Exception)
    def _crash(e: Exception):
        log.exception("unhandled error")  # no tracebacks in responses
        return jsonify(error="server_error", message=message("server_error")), 500


# How drivers say "not now" (psycopg, SQLite) as opposed to "this statement is wrong".
UNAVAILABLE = ("too many clients", "could not connect", "connection", "terminating", "shutting down",
               "the database system is", "database is locked", "server closed")


def _retry_after() -> str:
    """Seconds until the limit that refused this request lets one through again."""
    import time

    from server.extensions import limiter

    try:
        limit = limiter.current_limit
        return str(max(1, int(limit.reset_at - time.time()))) if limit else "60"
    except Exception:  # noqa: BLE001 - the store went away meanwhile: a safe guess
        return "60"


def _log_denied(code: str) -> None:
    """Authorisation failures: when, who, from where, what (never a body or a query string)."""
    from flask import request
    from flask_login import current_user

    actor = current_user.staff_no if current_user.is_authenticated else "-"
    log.warning("denied code=%s actor=%s source=%s %s %s", code, actor, request.remote_addr,
                request.method, request.path)
