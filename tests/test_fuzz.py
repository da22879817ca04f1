"""Fuzzing: schemathesis generates requests from /openapi.json; nothing may answer 5xx or
outside its documented schema. Hypothesis checks the phone and name rules directly."""
import re

import pytest
import schemathesis
from hypothesis import given, settings, strategies as st
from pydantic import ValidationError
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from server.models import INVISIBLE, BookingCreate, mask_phone, normalise_phone

EXAMPLES = 20  # per operation: bounded, so CI stays quick


def test_no_request_gets_a_server_error_or_an_undocumented_answer(app, bank, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("fuzzed once, on SQLite")
    app.config.update(BOOKING_LIMIT_IP="100000/minute", BOOKING_PHONE_PER_DAY=100000,
                      PUBLIC_LIMIT_IP="100000/minute", LOGIN_LIMIT_IP="100000/minute",
                      LOGIN_LIMIT_ACCOUNT="100000/minute", OTP_LIMIT_IP="100000/minute")
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None)
        def fuzz(case):
            # The WSGI transport does not undo compression: ask for the plain body to check it.
            case.call_and_validate(headers={"Accept-Encoding": "identity"},
                                   checks=[not_a_server_error, response_schema_conformance])
        fuzz()


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_every_mainland_mobile_number_is_accepted_and_masked(phone):
    assert normalise_phone(phone) == phone
    assert mask_phone(phone) == phone[:3] + "****" + phone[-4:]


@given(st.text(max_size=15))
def test_a_phone_number_is_accepted_only_if_it_is_a_mainland_mobile(raw):
    digits = "".join(raw.split())
    try:
        result = normalise_phone(raw)
    except Exception:
        return
    assert len(result) == 11 and result.isdigit() and result[0] == "1" and result[1] in "3456789"
    assert result in digits.replace("-", "").replace("(", "").replace(")", "")


@given(st.text(max_size=40))
def test_a_saved_name_is_1_to_20_visible_characters(name):
    body = {"name": name, "phone": "13812345678", "product": "x", "callback": True, "consent": True}
    try:
        cleaned = BookingCreate.model_validate(body).name
    except ValidationError as e:
        assert [err["loc"] for err in e.errors()] == [("name",)]
        return
    # Control, format, private-use and non-characters go; a code point this Python does not know
    # yet stays (a newer phone may know it), as /openapi.json says.
    assert 1 <= len(cleaned) <= 20 and cleaned == " ".join(cleaned.split()) and not re.search(f"[{INVISIBLE}]", cleaned)


# --- byte-level fuzzing: the inputs that crashed the server once, and random bytes ----------

import io  # noqa: E402
import json as _json  # noqa: E402
import logging  # noqa: E402
import random  # noqa: E402
from urllib.parse import quote  # noqa: E402

from tests.conftest import PASSWORD  # noqa: E402

BIG = "99999999999999999999"  # beyond 64 bits
BEYOND_INTEGER = "3000000000"  # beyond PostgreSQL's INTEGER, within 64 bits
NUL = "AB\x00CD"
BAD_UTF8 = b"\xff\xfe\xc3\x28\xa0\xa1"
# Every query argument a route reads, each given every crash value in turn.
QUERY_ARGS = ("action", "actor_id", "start", "end", "limit", "format", "scope", "status", "day",
              "period", "level", "track", "top", "bottom", "per_capita", "apply", "lang", "by")
PATH_VALUES = ("1", BIG, BEYOND_INTEGER, "-" + BIG, quote(NUL), "%FF%FE", "%C3%28", "YQ%00", "%00")
HOSTILE_HEADERS = {"X-Booking-Token": "a\x00b", "Idempotency-Key": "k\x00" + "9" * 80,
                   "Accept-Language": "\x00;q=99999999999999999999", "If-None-Match": '"\x00"',
                   "X-CSRFToken": "\x00"}


def _deep(n: int = 5000) -> bytes:
    return b'{"a":' * n + b"1" + b"}" * n


def _resolve(spec, schema):
    while "$ref" in (schema or {}):
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = spec["components"]["schemas"][name]
    return schema or {}


def _hostile_bodies(spec, operation, rng) -> list[bytes]:
    """Crash inputs for this operation's body: nesting, bad UTF-8, NUL and 2**64 in each field."""
    bodies = [_deep(), b"[" * 5000 + b"]" * 5000, BAD_UTF8, b'{"name": "\xff\xfe"}', b"\x00",
              b'{"a": 1e999999}', b'{"a": ' + b"9" * 5000 + b"}", b'"\\ud800"', b"{}"]
    content = (operation.get("requestBody") or {}).get("content", {}).get("application/json")
    schema = _resolve(spec, (content or {}).get("schema"))
    fields = list(schema.get("properties", {}))
    for hostile in ("\x00", "A\x00B", int(BIG), int(BEYOND_INTEGER), -int(BIG), "\ud800", [[[[]]]], {"$gt": ""}):
        bodies.append(_json.dumps({name: hostile for name in fields}).encode())
    for name in fields:  # one hostile field among otherwise absent ones
        bodies.append(_json.dumps({name: "x\x00"}).encode())
        bodies.append(_json.dumps({name: int(BIG)}).encode())
        bodies.append(_json.dumps({name: int(BEYOND_INTEGER)}).encode())
    for _ in range(6):
        bodies.append(rng.randbytes(rng.randrange(1, 200)))
    return bodies


def _hostile_queries(rng, one_at_a_time: bool) -> list[str]:
    """Every crash value in every argument at once; for reads, also in each argument alone."""
    queries = []
    for value in (BIG, BEYOND_INTEGER, "-" + BIG, "%00", "x%00y", "%FF%FE", "9" * 400, "1e999", "2026-02-30", "%"):
        queries.append("&".join(f"{name}={value}" for name in QUERY_ARGS))
    for value in (BIG, BEYOND_INTEGER, "-" + BEYOND_INTEGER, "%00", "%FF%FE", "%C2%B2") if one_at_a_time else ():
        queries += [f"{name}={value}" for name in QUERY_ARGS]  # one at a time: none masks another
    queries.append("".join(chr(rng.randrange(33, 127)) for _ in range(80)))
    queries.append(rng.randbytes(60).hex("%").upper().join(["%", ""]))
    return queries


def _fill(path: str, value: str) -> str:
    import re

    return re.sub(r"\{[^}]+\}", value, path)


def _login_admin(app, bank):
    c = app.test_client()
    r = c.post("/api/staff/login", json={"staff_no": bank.admin.staff_no, "password": PASSWORD})
    assert r.status_code == 200
    c.environ_base["HTTP_X_CSRFTOKEN"] = r.get_json()["csrf_token"]
    return c


def test_no_hostile_input_crashes_the_server_or_logs_a_traceback(app, bank, caplog):
    app.config.update(BOOKING_LIMIT_IP="100000/minute", BOOKING_PHONE_PER_DAY=100000,
                      PUBLIC_LIMIT_IP="100000/minute", LOGIN_LIMIT_IP="100000/minute",
                      LOGIN_LIMIT_ACCOUNT="100000/minute")
    rng = random.Random(17)
    spec = app.test_client().get("/openapi.json").get_json()
    operations = [(path, method.upper(), op) for path, ops in spec["paths"].items()
                  for method, op in ops.items()]
    assert len(operations) >= 40
    admin = _login_admin(app, bank)
    clients = {"anonymous": app.test_client(), "admin": admin}
    crashes, sent = [], 0
    caplog.set_level(logging.INFO)
    for path, method, op in operations:
        if path == "/api/staff/logout":
            continue  # would end the admin's session half way; it takes no input anyway
        for who, client in clients.items():
            requests = [(_fill(path, v), None) for v in PATH_VALUES]
            requests.append((_fill(path, quote(rng.randbytes(12), safe="")), None))
            queries = _hostile_queries(rng, one_at_a_time=method == "GET")
            requests += [(_fill(path, "1") + "?" + q, None) for q in queries]
            if method in ("POST", "PUT", "PATCH"):
                requests += [(_fill(path, "1"), b) for b in _hostile_bodies(spec, op, rng)]
            for url, data in requests:
                headers = {"Content-Type": "application/json"} if data is not None else {}
                r = client.open(url, method=method, data=data, headers=headers)
                if r.status_code < 400 and data is None:  # accepted: now with hostile headers too
                    r = client.open(url, method=method, headers=HOSTILE_HEADERS)
                sent += 1
                if r.status_code >= 500 or r.status_code < 400 and data is not None and r.status_code != 200:
                    crashes.append((who, method, url[:120], data[:60] if data else None, r.status_code))
                elif r.status_code >= 400 and r.is_json:
                    assert "error" in r.get_json(), (method, url)
    for roster in ("工号,姓名,支行\nYQ\x009,王\x00,城区\x00支行\n".encode(), b"\xff\xfe\x00", rng.randbytes(300)):
        for name in ("r.csv", "r.xlsx"):
            r = admin.post("/api/admin/roster", data={"file": (io.BytesIO(roster), name)})
            if r.status_code >= 500:
                crashes.append(("admin", "POST", "/api/admin/roster", roster[:60], r.status_code))
    assert admin.get("/api/staff/me").status_code == 200, "the admin was logged out half way"
    assert sent > 2000
    assert not crashes, crashes[:20]
    tracebacks = [r.getMessage()[:200] for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert not tracebacks, tracebacks[:10]
