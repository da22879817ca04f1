"""The document is the API: schemathesis sends what /openapi.json describes to the app, in
process, as a customer, an employee and head office. Every answer must be one the document
promises (status, body, content type, headers); a request it calls valid is never refused for
its shape, one it calls invalid is never accepted; a method a path lacks is a 405 with Allow.

Each operation gets schemathesis' coverage cases (the edges of every limit, missing and wrong
values, methods the path lacks; a fixed sample of them, to bound the time) and a few random
requests, with every check on. Deterministic: same seed, same sample, same requests."""
import json
import os
import re

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.generation import GenerationMode
from schemathesis.generation.drivers import CoverageGenerator
from schemathesis.generation.feedback import FeedbackSources
from schemathesis.generation.meta import CoverageScenario
from schemathesis.generation.overrides import Override
from schemathesis.specs.openapi.checks import positive_data_acceptance

from server.i18n import MESSAGES
from tests.conftest import PASSWORD, PASSWORD_HASH

SEED = 20261207
# Coverage cases per operation an identity can use (of up to a few hundred): OPENAPI_COVERAGE=1000
# sends them all (a few minutes).
COVERAGE = int(os.environ.get("OPENAPI_COVERAGE", 12))
GLANCE = 3  # ... and per operation it cannot (a 401 or 403 is all it gets)
RANDOM = int(os.environ.get("OPENAPI_RANDOM", 2))  # random valid requests per operation with a body or a query

# Valid in shape, refused for what the bank holds or what other values say: a 422 naming only
# these fields, each with one of these messages, is not "valid data rejected". Each rule is in its
# field's or operation's description (an open slot, a product the shop offers, a known staff number).
BOOKING = {"product": {"product_unknown", "product_not_offered"}, "slot": {"slot_unavailable"},
           "consent": {"consent_outdated"}, "serve_code": {"grid_member_gone"}}
GRID = {"branch_id": {"branch_unknown"}, "name": {"name_taken"}, "areas": {"list_invalid"},
        "areas_en": {"list_invalid"}}  # a list is bounded joined, too
PRODUCT = {"code": {"code_taken"}, "name": {"name_taken"}, "documents": {"list_invalid"},
           "documents_en": {"list_invalid"}}
STATEFUL = {
    "POST /api/shops/{code}/bookings": BOOKING,
    "POST /api/staff/bookings": BOOKING,
    "POST /api/status/reschedule": {"slot": {"slot_unavailable"}},
    "POST /api/phone/verify": {"code": {"code_wrong", "code_expired", "code_locked"}},
    "POST /api/staff/bookings/{reference}/checkin": {"code": {"checkin_code_wrong"}},
    "POST /api/staff/password": {"current_password": {"password_wrong"}, "new_password": {"password_common"}},
    "PUT /api/staff/availability": {"weekly": {"hours_invalid"}},  # ranges in order, not overlapping
    "POST /api/handover": {"from_staff_no": {"staff_unknown"}, "to_staff_no": {"staff_unknown", "handover_target"}},
    "PUT /api/admin/targets": {"subject_id": {"branch_unknown", "staff_unknown"}, "staff_no": {"staff_unknown"}},
    "POST /api/admin/targets/import": {"file": {"targets_file"}},
    "POST /api/admin/roster": {"file": {"roster_file"}},  # its owner (the roster import) documents the upload
    "POST /api/org/grids": GRID,
    "PUT /api/org/grids/{grid_id}": GRID,
    "POST /api/org/teams": {"branch_id": {"branch_unknown"}, "name": {"name_taken"}},
    "PUT /api/org/teams/{team_id}": {"branch_id": {"branch_unknown"}, "name": {"name_taken"}},
    "POST /api/org/branches": {"name": {"name_taken"}},
    "PUT /api/org/branches/{branch_id}": {"name": {"name_taken"}},
    "POST /api/org/products": PRODUCT,
    "PUT /api/org/products/{product_id}": PRODUCT,
    **{f"GET /api/boards/{path}": {"start": {"range_invalid"}} for path in (  # start ≤ end, ≤ 366 days
        "{by}", "funnel/{by}", "trend", "flagged", "unverified")},
    # A cursor is the server's own token: a made-up one is refused by what it holds.
    "GET /api/staff/bookings": {"cursor": {"cursor_invalid"}},
    "GET /api/audit": {"cursor": {"cursor_invalid"}, "start": {"range_invalid"}},
    # Owned by other changes in flight (channel codes, out-of-office): their rules, their documents.
    "POST /api/staff/channel-codes": {"channel": {"required", "channel_taken", "channel_reserved"}},
    "PATCH /api/staff/channel-codes/{code}": {"channel": {"required", "channel_taken", "channel_reserved"}},
    "POST /api/walls": {"branch_id": {"branch_unknown"}},
    "POST /api/staff/out-of-office": {"start": {"away_range"}, "employee_staff_no": {"staff_unknown"},
                                      "delegate_staff_no": {"delegate_invalid", "staff_unknown"}},
}


def _positive_data_acceptance(ctx, response, case):
    """schemathesis' check, but a 422 whose every field is refused for a reason in STATEFUL passes."""
    if response.status_code == 422 and case.meta and case.meta.generation.mode.is_positive:
        allowed = STATEFUL.get(case.operation.label, {})
        fields = json.loads(response.content).get("fields", {})  # messages in Chinese, the default
        if fields and all(text in {MESSAGES[code][0] for code in allowed.get(name, ())}
                          for name, text in fields.items()):
            return None
    return positive_data_acceptance(ctx, response, case)


@pytest.fixture
def api(app, bank, monkeypatch):
    """A function: the schema as `who` (anonymous, employee or admin) sends it, logged in or not."""
    from server.staff import service

    monkeypatch.setattr(service, "_DUMMY_HASH", PASSWORD_HASH)  # unknown staff numbers: cheap too
    app.config.update(BOOKING_LIMIT_IP="100000/minute", BOOKING_PHONE_PER_DAY=100000,
                      PUBLIC_LIMIT_IP="100000/minute", LOGIN_LIMIT_IP="100000/minute",
                      LOGIN_FAILURES_IP="100000/minute", LOGIN_LIMIT_ACCOUNT="100000/minute",
                      OTP_LIMIT_IP="100000/minute", LOGIN_SLOWDOWN_MAX_SECONDS=0)

    def load(who: str):
        config = {"seed": SEED}
        if who != "anonymous":
            staff = {"employee": bank.wang, "admin": bank.admin}[who]
            r = app.test_client().post("/api/staff/login", json={"staff_no": staff.staff_no, "password": PASSWORD})
            cookie = r.headers["Set-Cookie"].split(";")[0].partition("=")[2]
            config["auth"] = {"openapi": {"session": {"api_key": cookie},
                                          "csrf": {"api_key": r.get_json()["csrf_token"]}}}
        return schemathesis.openapi.from_wsgi("/openapi.json", app, config=schemathesis.Config.from_dict(config))

    return load


def _cases(schema, operation, n: int, methods_sent: set) -> list:
    """The operation's coverage cases: each method its path lacks (once a path), and `n` of the
    others, evenly spread."""
    generator = CoverageGenerator(operation=operation, generation_modes=list(GenerationMode),
                                  generation_config=schema.config.generation_for(operation=operation, phase="coverage"),
                                  auth_storage=None, override=Override(), feedback=FeedbackSources())
    methods, others = [], []
    for case in generator:
        if case.meta.phase.data.scenario != CoverageScenario.UNSPECIFIED_HTTP_METHOD:
            others.append(case)
        elif (operation.path, case.method) not in methods_sent:
            methods_sent.add((operation.path, case.method))
            methods.append(case)
    step = len(others) / n if len(others) > n else 1
    return methods + [others[int(i * step)] for i in range(min(n, len(others)))]


def _usable(operation, who: str) -> bool:
    """Whether `who` gets past the operation's login and role checks (else a 401 or 403 is all)."""
    raw = operation.definition.raw
    if raw.get("security") and who == "anonymous":
        return False
    return not (who == "employee" and "head office only" in raw["responses"].get("403", {}).get("description", ""))


def _conform(schema, who: str, *, coverage: int = COVERAGE) -> tuple[int, list[str]]:
    """Send each operation's cases as `who`: how many, and what the document does not promise."""
    sent, failures, methods_sent = 0, [], set()

    def send(operation, case):
        nonlocal sent
        sent += 1
        # The WSGI transport does not undo compression: ask for the plain body to check it.
        headers = {"Accept-Encoding": "identity"}
        response = case.call(headers=headers)
        try:
            case.validate_response(response, headers=headers, excluded_checks=[positive_data_acceptance],
                                   additional_checks=[_positive_data_acceptance])
        except (Exception, BaseExceptionGroup) as e:  # noqa: BLE001 - collected, then all reported
            for failure in getattr(e, "exceptions", [e]):
                title = " / ".join(line for line in str(failure).strip().splitlines()[:4] if line)
                sent_as = re.sub(r"-H 'Cookie: [^']*' ", "", case.as_curl_command())
                failures.append(f"{who} {operation.label}: {title}\n    {sent_as[:600]}\n"
                                f"    -> {response.status_code} {response.text[:300]}")

    for result in schema.get_all_operations():
        operation = result.ok()
        if who != "anonymous" and operation.path == "/api/staff/logout":
            continue  # logging out would end the session the other requests use
        if who != "anonymous" and not operation.definition.raw.get("security"):
            continue  # public operations answer everyone alike: sent once, anonymously
        usable = _usable(operation, who)
        for case in _cases(schema, operation, coverage if usable else GLANCE, methods_sent):
            send(operation, case)
        if usable and (operation.body or operation.query):  # invalid values: the coverage cases have them

            @given(case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE))
            @settings(max_examples=RANDOM, derandomize=True, database=None, deadline=None,
                      phases=[Phase.generate], suppress_health_check=list(HealthCheck))
            def fuzz(case):
                send(operation, case)

            fuzz()
    return sent, failures


@pytest.mark.parametrize("who", ["anonymous", "employee", "admin"])
def test_every_answer_is_one_the_document_promises(api, who):
    sent, failures = _conform(api(who), who)
    assert sent > 200
    shown = int(os.environ.get("OPENAPI_SHOW", 25))
    assert not failures, f"{len(failures)} of {sent} requests:\n" + "\n".join(failures[:shown])


def test_a_limit_the_document_does_not_show_is_caught(api, monkeypatch):
    """The check can fail: a branch address the server holds to 10 characters, the document to 200."""
    from server.org import service

    monkeypatch.setitem(service.LIMITS, "address", 10)
    schema = api("admin").include(path="/api/org/branches", method="POST")
    sent, failures = _conform(schema, "admin", coverage=1000)
    assert sent > 20 and failures
    assert all("POST /api/org/branches: Schema-valid request rejected" in f for f in failures), failures[0]


def test_trace_and_any_method_a_path_lacks_answer_405_with_allow_and_the_error_body(client):
    for method in ("TRACE", "PATCH", "DELETE"):
        r = client.open("/api/shops/SHOP0001", method=method, headers={"Accept-Language": "en"})
        assert r.status_code == 405 and r.headers["Allow"] == "GET, HEAD, OPTIONS"
        assert r.get_json() == {"error": "method_not_allowed",
                                "message": "This address does not support that request method."}
    assert client.open("/api/staff/login", method="TRACE").headers["Allow"] == "OPTIONS, POST"
