"""Fuzzing: schemathesis generates requests from /openapi.json; nothing may answer 5xx or
outside its documented schema. Hypothesis checks the phone and name rules directly."""
import pytest
import schemathesis
from hypothesis import given, settings, strategies as st
from pydantic import ValidationError
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from server.models import BookingCreate, mask_phone, normalise_phone

EXAMPLES = 20  # per operation: bounded, so CI stays quick


def test_no_request_gets_a_server_error_or_an_undocumented_answer(app, bank, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("fuzzed once, on SQLite")
    app.config.update(BOOKING_LIMIT_IP="100000/minute", BOOKING_PHONE_PER_DAY=100000,
                      PUBLIC_LIMIT_IP="100000/minute", LOGIN_LIMIT_IP="100000/minute",
                      LOGIN_LIMIT_ACCOUNT="100000/minute")
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None)
        def fuzz(case):
            case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])
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
def test_a_saved_name_is_1_to_20_printable_characters(name):
    body = {"name": name, "phone": "13812345678", "product": "x", "callback": True, "consent": True}
    try:
        cleaned = BookingCreate.model_validate(body).name
    except ValidationError as e:
        assert [err["loc"] for err in e.errors()] == [("name",)]
        return
    assert 1 <= len(cleaned) <= 20 and cleaned == cleaned.strip() and cleaned.isprintable()
