"""Login limits that stop attackers, not owners: wrong passwords count per account and address,
one address cannot try many accounts, and guesses from everywhere only slow an account down."""
import pytest
from sqlmodel import select

from server.models import AuditEntry
from server.staff import throttle
from tests.conftest import PASSWORD

ATTACKER, OWNER = "203.0.113.7", "198.51.100.20"


def attempt(client, staff_no, password, address):
    return client.post("/api/staff/login", json={"staff_no": staff_no, "password": password},
                       environ_base={"REMOTE_ADDR": address}).status_code


def test_five_wrong_passwords_from_one_address_do_not_stop_the_owner_logging_in_from_another(bank, client):
    wrong = [attempt(client, "YQ0001", "not-the-password", ATTACKER) for _ in range(5)]
    assert wrong == [401] * 5
    assert attempt(client, "YQ0001", "not-the-password", ATTACKER) == 429  # the attacker is stopped
    assert attempt(client, "YQ0001", PASSWORD, ATTACKER) == 429  # even with the right one, from there
    assert attempt(client, "YQ0001", PASSWORD, OWNER) == 200  # the owner is not


def test_the_owners_own_logins_do_not_use_up_the_limit(bank, client, app):
    app.config["LOGIN_LIMIT_ACCOUNT"] = "3/minute"
    assert [attempt(client, "YQ0001", PASSWORD, OWNER) for _ in range(6)] == [200] * 6


def test_one_address_cannot_try_many_accounts(bank, client, app):
    app.config["LOGIN_FAILURES_IP"] = "4/minute"
    accounts = ["YQ0001", "YQ0002", "YQ0003", "YQ0009"]
    assert [attempt(client, no, "not-the-password", ATTACKER) for no in accounts] == [401] * 4
    assert attempt(client, "YQ0010", "not-the-password", ATTACKER) == 429  # a fifth account: refused
    assert attempt(client, "YQ0010", PASSWORD, OWNER) == 200  # its owner, elsewhere, logs in


def test_guesses_from_many_addresses_slow_the_account_down_but_never_lock_its_owner_out(bank, client, app,
                                                                                         monkeypatch):
    app.config.update(LOGIN_SLOWDOWN_AFTER=3, LOGIN_SLOWDOWN_MAX_SECONDS=2.0)
    waited = []
    monkeypatch.setattr(throttle, "sleep", waited.append)
    codes = [attempt(client, "YQ0001", "not-the-password", f"203.0.113.{i}") for i in range(6)]
    assert codes == [401] * 6  # one guess per address: no address limit reached
    assert waited == [0.5, 1.0, 2.0]  # from the 4th failure on: doubling, up to the cap
    assert attempt(client, "YQ0001", PASSWORD, OWNER) == 200
    assert waited[-1] == 2.0  # the owner waited too, and got in
    assert attempt(client, "YQ0002", PASSWORD, OWNER) == 200 and len(waited) == 4  # other accounts: no wait


def test_a_failed_login_stores_only_a_masked_staff_number(bank, client, db):
    assert attempt(client, "yq0001", "not-the-password", ATTACKER) == 401
    assert attempt(client, "ZHANGSAN-PASSWORD", "x", ATTACKER) == 401
    targets = db.exec(select(AuditEntry.target).where(AuditEntry.action == "login_failed")).all()
    assert sorted(targets) == ["staff:YQ****01", "staff:ZH****RD"]


@pytest.mark.parametrize("typed, masked", [("YQ0001", "YQ****01"), ("ab", "A***"), ("", ""),
                                           ("1" * 50, "11****11")])
def test_the_mask_keeps_no_more_than_four_characters(typed, masked):
    from server.audit.service import mask

    assert mask(typed) == masked
