"""Hostile input refused at the edge, before it reaches a route, a driver or a log.

What crashed the server once and must be a 4xx everywhere: JSON nested thousands deep (the
parser's recursion limit), NUL characters (PostgreSQL refuses them in text), lone UTF-16
surrogates (they cannot be encoded back to UTF-8), numbers beyond 32 bits (PostgreSQL's
INTEGER, every id and number column here) and non-finite floats. Bad UTF-8 in a body is a
parse error; in a URL werkzeug decodes it with replacement characters, harmless from there on.
"""
import math
import re

from flask import request
from flask.json.provider import DefaultJSONProvider
from werkzeug.routing import IntegerConverter

from server.errors import ApiError, Invalid

INT_MAX = 2**31 - 1  # every id and number column is an INTEGER (32 bits on PostgreSQL)
MAX_DEPTH = 32  # our bodies are flat objects with short lists: anything deeper is not ours


class SafeJSON(DefaultJSONProvider):
    """Flask's JSON, where a body too deep to parse is a parse error like any other (a
    RecursionError is not a ValueError, so get_json(silent=True) would let it through)."""

    def loads(self, s, **kwargs):
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deep") from None


class IntegerConverter32(IntegerConverter):
    """`<int:...>` in URLs, up to what an INTEGER column holds: a larger id matches nothing (404)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", INT_MAX)
        super().__init__(map, *args, **kwargs)


def bad_text(value: str) -> bool:
    """True if a string cannot be stored or encoded: NUL, or a lone surrogate."""
    if "\x00" in value:
        return True
    try:
        value.encode()
    except UnicodeEncodeError:
        return True
    return False


def _bad_value(value) -> bool:
    if isinstance(value, str):
        return bad_text(value)
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) > INT_MAX
    if isinstance(value, float):
        return not math.isfinite(value)
    return False


def check_json(data, fields=None) -> None:
    """Raise unless every value in `data` can be stored: 400 if deeper than MAX_DEPTH, else a
    422 naming each top-level field (of `fields`, when given: the others are dropped unread)
    that holds a value no column can take. Iterative: a deep body cannot exhaust the stack."""
    bad: set[str] = set()
    stack = [(data, 0, "body")]
    while stack:
        value, depth, field = stack.pop()
        if depth > MAX_DEPTH:
            raise ApiError("bad_json", 400)
        if isinstance(value, dict):
            for key, item in value.items():
                stack.append((item, depth + 1, key if depth == 0 else field))
        elif isinstance(value, list):
            stack.extend((item, depth + 1, field) for item in value)
        elif _bad_value(value) and (fields is None or field in fields):
            bad.add(field)
    if bad:
        raise Invalid(**{name: "invalid" for name in sorted(bad)})


def guard_request():
    """Before every request: a NUL in the path or the query string is refused (400) before any
    route passes it on to the database."""
    if "\x00" in request.path or any("\x00" in text for key, values in request.args.lists()
                                     for text in (key, *values)):
        raise ApiError("invalid", 400)


def int_arg(name: str, default: int | None, low: int = 0, high: int = INT_MAX) -> int | None:
    """The query argument `name` as an integer clamped into [low, high], `default` if absent;
    a value that is not a whole number an INTEGER column can hold is a 422 naming the argument."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    if not re.fullmatch("-?[0-9]{1,10}", raw) or abs(int(raw)) > INT_MAX:  # "²" is a digit to isdigit()
        raise Invalid(**{name: "invalid"})
    return min(max(int(raw), low), high)


def register(app) -> None:
    """Install the JSON provider, the bounded `int` converter and the request guard; call
    before any blueprint is registered (converters are looked up when rules are added)."""
    app.json = SafeJSON(app)
    app.url_map.converters["int"] = IntegerConverter32
    app.before_request_funcs.setdefault(None, []).insert(0, guard_request)
