"""Routing to the dedicated manager (DESIGN.md §3), with the reason shown to staff."""
from sqlmodel import select

from server.models import Customer
from tests.conftest import next_slot


def routed(login, employee, reference):
    return login(employee).get(f"/api/staff/bookings/{reference}").get_json()


def test_a_new_customer_binds_to_the_shop_owner(bank, book, db, login):
    ref = book(bank.code(bank.li)).get_json()["reference"]
    assert db.exec(select(Customer.employee_id)).one() == bank.li.id
    assert routed(login, bank.li, ref)["route_reason"] == "new_customer"


def test_returning_customer_goes_to_their_dedicated_manager_whatever_shop(bank, book, login, prove):
    book(bank.code(bank.li))
    r = book(bank.code(bank.zhao), slot=next_slot(days_ahead=2).isoformat(), product="tax-loan",
             headers=prove())
    assert r.status_code == 201 and r.get_json()["manager"] == "李强"
    booking = routed(login, bank.li, r.get_json()["reference"])
    assert booking["route_reason"] == "dedicated"
    assert booking["phone"] == "13812345678"  # the dedicated manager sees the full number
    # the channel it came through is kept: Zhao's shop
    assert login(bank.zhao).get(f"/api/staff/bookings/{r.get_json()['reference']}").status_code == 404


def test_a_left_managers_customers_go_to_the_successor(bank, book, db, login, prove):
    book(bank.code(bank.li))
    bank.li.disabled, bank.li.successor_id = True, bank.wang.id
    db.add(bank.li)
    db.commit()
    r = book(bank.code(bank.zhao), slot=next_slot(days_ahead=3).isoformat(), product="tax-loan", headers=prove())
    assert r.get_json()["manager"] == "王丽"
    assert routed(login, bank.wang, r.get_json()["reference"])["route_reason"] == "successor"


def test_a_left_managers_printed_code_still_works_and_reaches_the_successor(bank, book, db, client):
    bank.li.disabled, bank.li.successor_id = True, bank.wang.id
    db.add(bank.li)
    db.commit()
    shop = client.get(f"/api/shops/{bank.code(bank.li)}").get_json()
    assert shop["manager"]["name"] == "王丽" and shop["covering"] == "王丽"
    assert book(bank.code(bank.li)).get_json()["manager"] == "王丽"


def test_without_a_successor_the_branch_manager_takes_the_customer(bank, book, db, login):
    bank.li.disabled = True
    db.add(bank.li)
    db.commit()
    r = book(bank.code(bank.li))
    assert r.get_json()["manager"] == "张支行长"
    assert routed(login, bank.boss, r.get_json()["reference"])["route_reason"] == "branch_pool"


def test_a_successor_chain_is_followed_to_the_first_active_employee(bank, book, db):
    bank.li.disabled, bank.li.successor_id = True, bank.wang.id
    bank.wang.disabled, bank.wang.successor_id = True, bank.zhao.id
    db.add_all([bank.li, bank.wang])
    db.commit()
    assert book(bank.code(bank.li), product="tax-loan").get_json()["manager"] == "赵敏"  # what Zhao's desk offers
