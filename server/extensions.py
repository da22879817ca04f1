"""Extensions, created unbound here and attached in create_app()."""

from flask import Blueprint, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect
from server.models import ErrorBody
from server.openapi import EXTRAS, Document

login_manager = LoginManager()
# Shared across workers through Redis when REDIS_URL is set; if the store fails, requests
# go through (a booking is never refused because the limiter is down). No X-RateLimit headers:
# they cost two more Redis round trips per request; a 429 says Retry-After (server/errors.py).
limiter = Limiter(key_func=get_remote_address, headers_enabled=False, swallow_errors=True,
                  in_memory_fallback_enabled=True)


class HeaderCSRF(CSRFProtect):
    """The CSRF token from the X-CSRFToken header only (the staff app sends it there).

    Flask-WTF looks in the form first, which parses the body before the route can allow a
    larger one: a 5 MB roster upload met the 64 KB API limit inside the CSRF check."""

    def _get_csrf_token(self):
        for header in current_app.config["WTF_CSRF_HEADERS"]:
            if request.headers.get(header):
                return request.headers[header]
        return None


csrf = HeaderCSRF()
# A 422 is documented as the body server/errors.py sends (error, message, per-field messages);
# what every route of a kind may answer is added by server/openapi.py.
spec = Document("flask", title="一人一店 API", version="1", path="apidoc",
                annotations=False, mode="strict", validation_error_model=ErrorBody)


def doc(media: tuple[str, ...] = (), max_bytes: int = 0, **kwargs):
    """Describe a route in /openapi.json; validation itself happens in the route, once.

    `media`: the answer is a file of these types; `max_bytes`: the route reads a body larger
    than MAX_CONTENT_LENGTH (an upload). spectree's decorator wraps the view in a per-request
    layer that does nothing when validation is skipped but costs about a tenth of a
    millisecond; keep its description for the spec (spectree finds it through the __wrapped__
    chain) and serve the view itself. spectree is pinned; tests/test_pages.py checks the spec
    still lists every route, tests/test_openapi_conformance.py that it tells the truth.
    """
    def describe(view):
        wrapper = spec.validate(skip_validation=True, **kwargs)(view)
        spec._function_metadata[view] = spec._function_metadata.pop(wrapper)
        if media or max_bytes:
            EXTRAS[view] = {"media": media, "max_bytes": max_bytes}
        return view

    return describe


# What carries a limit (see only_limited()): view functions, and blueprint names with the
# limit's exempt_when (None if it has none).
LIMITED_BLUEPRINTS: dict[str, object] = {}
LIMITED_VIEWS: set = set()


def limit(setting: str, **kwargs):
    """A rate limit whose value is the app setting `setting` (e.g. "60/minute;600/hour")."""
    decorate = limiter.limit(lambda: current_app.config[setting], **kwargs)

    def apply(target):
        limited = decorate(target)
        if isinstance(target, Blueprint):
            if target.name in LIMITED_BLUEPRINTS:
                raise RuntimeError(f"one limit() per blueprint: {target.name}")
            LIMITED_BLUEPRINTS[target.name] = kwargs.get("exempt_when")
        else:
            LIMITED_VIEWS.add(limited)
        return limited

    return apply


def only_limited(app) -> None:
    """Run the limiter's per-request hooks only on requests that carry a limit.

    Flask-Limiter resolves the limits of every route on every request (before, after and
    teardown hooks), a tenth of a staff board read; most routes have none. No default or
    application-wide limits are set, so a route outside LIMITED_BLUEPRINTS and LIMITED_VIEWS
    has nothing to check. Fails at start-up if the limiter's hooks are not where expected.
    """
    if app.config.get("RATELIMIT_DEFAULT") or app.config.get("RATELIMIT_APPLICATION"):
        raise RuntimeError("only_limited() assumes no default or application-wide limits")
    ours = (limiter._check_request_limit, limiter._Limiter__release_context)
    swapped = 0
    for registry in (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs):
        hooks = registry.get(None, [])
        for i, hook in enumerate(hooks):
            if hook in ours or getattr(hook, "args", None) == (limiter,):  # after: a partial
                hooks[i], swapped = _when_limited(hook), swapped + 1
    if swapped != 3:
        raise RuntimeError(f"Flask-Limiter's hooks changed: found {swapped} of 3")


def _limited() -> bool:
    """Whether this request has a limit to count: a limited view, or a limited blueprint
    whose exempt_when does not let it off (a cached shop profile, say)."""
    if current_app.view_functions.get(request.endpoint) in LIMITED_VIEWS:
        return True
    if request.blueprint not in LIMITED_BLUEPRINTS:
        return False
    exempt = LIMITED_BLUEPRINTS[request.blueprint]
    return exempt is None or not exempt()


def _when_limited(hook):
    def run(*args):
        limited = request.environ.get("yryd.limited")
        if limited is None:  # decided once a request: before, after and teardown agree
            limited = request.environ["yryd.limited"] = _limited()
        if limited:
            return hook(*args)
        return args[0] if args else None  # after_request hands the response on

    return run


def typed_staff_no() -> str:
    """The staff number a login request names (before validation: bounded, normalised)."""
    data = request.get_json(silent=True)
    return str(data.get("staff_no", "")).strip().upper()[:20] if isinstance(data, dict) else ""


def account_address_key() -> str:
    """One account from one address: an attacker's guesses elsewhere never lock its owner out."""
    return f"staff:{typed_staff_no()}@{get_remote_address()}"


def failures_address_key() -> str:
    """Failed logins from one address, whichever accounts they name."""
    return f"login-failures@{get_remote_address()}"


def login_failed(response) -> bool:
    """Count a login attempt against the failure limits only when the password was wrong."""
    return response.status_code == 401
