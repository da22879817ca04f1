"""Anti-automation: rate limits answer 429 with Retry-After and the limits are per phone / account."""
import pytest

from tests.conftest import PASSWORD, next_slot


@pytest.fixture
def app(app):
    app.config.update(BOOKING_PHONE_PER_DAY=2, LOGIN_LIMIT_ACCOUNT="3/minute")
    return app


def test_one_phone_can_make_only_so_many_bookings_a_day(bank, book):
    code = bank.code(bank.wang)
    assert book(code, slot=next_slot(hour=9).isoformat()).status_code == 201
    assert book(code, slot=next_slot(hour=10).isoformat()).status_code == 201
    r = book(code, slot=next_slot(hour=11).isoformat())
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    assert r.get_json()["message"] == "操作太频繁，请稍后再试。"
    assert book(code, phone="13900009999", slot=next_slot(hour=11).isoformat()).status_code == 201


def test_rejected_bookings_do_not_use_up_the_phones_allowance(bank, book):
    code = bank.code(bank.wang)
    for _ in range(3):
        assert book(code, product="nope").status_code == 422
    assert book(code).status_code == 201


def test_login_attempts_are_throttled_per_account_with_the_same_answer_for_unknown_accounts(bank, client):
    for staff_no in ("YQ0001", "NOBODY1"):
        codes = [client.post("/api/staff/login", json={"staff_no": staff_no, "password": "wrong-pass"}).status_code
                 for _ in range(4)]
        assert codes == [401, 401, 401, 429]
    # another account from the same address is not locked out
    assert client.post("/api/staff/login", json={"staff_no": "YQ0002", "password": PASSWORD}).status_code == 200


def test_public_endpoints_are_limited_per_address(bank, client, app):
    app.config["PUBLIC_LIMIT_IP"] = "3/minute"
    codes = [client.get(f"/api/shops/GUESS00{i}").status_code for i in range(4)]  # guessing codes
    assert codes == [404, 404, 404, 429]
    other = client.get(f"/api/shops/{bank.code(bank.wang)}", environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert other.status_code == 200


def test_a_shop_profile_the_server_already_holds_is_not_counted_everything_else_is(bank, client, app):
    app.config["PUBLIC_LIMIT_IP"] = "3/minute"
    code, cache = bank.code(bank.wang), app.extensions["caches"].shops
    statuses = []
    for _ in range(4):
        cache.clear()  # as after a change to the shop: the next read goes to the database
        statuses.append(client.get(f"/api/shops/{code}").status_code)  # counted
        statuses += [client.get(f"/api/shops/{code}").status_code for _ in range(10)]  # cached
    assert statuses == [200] * 33 + [429] * 11  # the 4th read from the database is refused


def test_every_route_with_a_limit_is_checked_on_each_request(app):
    """The limiter runs only for routes limit() marked; a limit set any other way would be skipped."""
    from flask_limiter.util import get_qualified_name

    from server.extensions import LIMITED_BLUEPRINTS, LIMITED_VIEWS, limiter

    manager, limited = limiter.limit_manager, []
    for endpoint, view in app.view_functions.items():
        blueprint = endpoint.rpartition(".")[0]
        with app.test_request_context():
            has = manager.decorated_limits(get_qualified_name(view)) or (
                blueprint and manager.blueprint_limits(app, blueprint))
        if has:
            limited.append(endpoint)
            assert view in LIMITED_VIEWS or blueprint in LIMITED_BLUEPRINTS, endpoint
    assert {"bookings.create", "staff.login", "shops.profile"} <= set(limited)
