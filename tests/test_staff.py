"""Staff: log in, see only what is theirs (or their branch's), move bookings through states."""
import pytest

from tests.conftest import PASSWORD, next_slot


def test_login_shows_me_my_shop_link(bank, login):
    me = login(bank.wang).get("/api/staff/me").get_json()
    assert me["name"] == "王丽" and me["shop_url"] == "http://shop.test/s/SHOP0001"


@pytest.mark.parametrize("staff_no, password", [("YQ0001", "wrong-password"), ("NOBODY", PASSWORD)])
def test_a_failed_login_says_the_same_whatever_was_wrong(bank, client, staff_no, password):
    r = client.post("/api/staff/login", json={"staff_no": staff_no, "password": password})
    assert r.status_code == 401 and r.get_json()["message"] == "工号或密码不正确。"


def test_an_employee_who_left_cannot_log_in_and_their_session_stops_working(bank, login, db, client):
    c = login(bank.li)
    bank.li.disabled = True
    db.add(bank.li)
    db.commit()
    assert c.get("/api/staff/me").status_code == 401
    r = client.post("/api/staff/login", json={"staff_no": "YQ0002", "password": PASSWORD})
    assert r.status_code == 401


def test_logout_ends_the_session(bank, login):
    c = login(bank.wang)
    assert c.post("/api/staff/logout").status_code == 204
    assert c.get("/api/staff/bookings").status_code == 401


def test_staff_api_needs_a_login(client):
    r = client.get("/api/staff/bookings")
    assert r.status_code == 401 and r.get_json()["message"] == "请先登录。"


def test_my_bookings_are_only_mine_newest_first_with_full_phone(bank, book, login):
    first = book(bank.code(bank.wang)).get_json()["reference"]
    second = book(bank.code(bank.wang), phone="13900004444", slot=next_slot(days_ahead=2).isoformat()
                  ).get_json()["reference"]
    book(bank.code(bank.li), phone="13900005555")
    items = login(bank.wang).get("/api/staff/bookings").get_json()["items"]
    assert [i["reference"] for i in items] == [second, first]
    assert items[1]["phone"] == "13812345678" and items[1]["phone_masked"] is False


def test_another_employees_booking_is_404_to_me(bank, book, login):
    ref = book(bank.code(bank.li)).get_json()["reference"]
    c = login(bank.wang)
    assert c.get(f"/api/staff/bookings/{ref}").status_code == 404
    assert c.post(f"/api/staff/bookings/{ref}/status", json={"status": "contacted"}).status_code == 404


def test_a_branch_manager_sees_their_branch_with_masked_phones_but_not_other_branches(bank, book, login):
    book(bank.code(bank.li))
    book(bank.code(bank.zhao), phone="13900006666")
    c = login(bank.boss)
    items = c.get("/api/staff/bookings?scope=branch").get_json()["items"]
    assert [i["employee"] for i in items] == ["李强"]
    assert items[0]["phone"] == "138****5678" and items[0]["phone_masked"] is True
    assert c.get("/api/staff/bookings?scope=all").status_code == 403


def test_admin_sees_all_bookings(bank, book, login):
    book(bank.code(bank.li))
    book(bank.code(bank.zhao), phone="13900006666")
    items = login(bank.admin).get("/api/staff/bookings?scope=all").get_json()["items"]
    assert len(items) == 2


def test_plain_staff_cannot_widen_their_scope(bank, login):
    assert login(bank.wang).get("/api/staff/bookings?scope=branch").status_code == 403


def test_a_booking_moves_new_contacted_arrived_completed(bank, book, login):
    ref = book(bank.code(bank.wang)).get_json()["reference"]
    c = login(bank.wang)
    for status in ("contacted", "arrived", "completed"):
        r = c.post(f"/api/staff/bookings/{ref}/status", json={"status": status})
        assert r.status_code == 200 and r.get_json()["status"] == status
    assert r.get_json()["next_statuses"] == []


@pytest.mark.parametrize("path", [["completed"], ["cancelled", "contacted"], ["no_show", "arrived"],
                                  ["arrived", "no_show"]])
def test_an_invalid_move_is_409_and_changes_nothing(bank, book, login, path):
    ref = book(bank.code(bank.wang)).get_json()["reference"]
    c = login(bank.wang)
    for status in path[:-1]:
        assert c.post(f"/api/staff/bookings/{ref}/status", json={"status": status}).status_code == 200
    r = c.post(f"/api/staff/bookings/{ref}/status", json={"status": path[-1]})
    assert r.status_code == 409
    assert c.get(f"/api/staff/bookings/{ref}").get_json()["status"] == (path[:-1] or ["new"])[-1]


def test_filter_my_bookings_by_status_and_day(bank, book, login):
    ref = book(bank.code(bank.wang)).get_json()["reference"]
    book(bank.code(bank.wang), phone="13900007777", slot=next_slot(days_ahead=3).isoformat())
    c = login(bank.wang)
    c.post(f"/api/staff/bookings/{ref}/status", json={"status": "contacted"})
    assert [i["reference"] for i in c.get("/api/staff/bookings?status=contacted").get_json()["items"]] == [ref]
    day = next_slot().date().isoformat()
    assert [i["reference"] for i in c.get(f"/api/staff/bookings?day={day}").get_json()["items"]] == [ref]
    assert c.get("/api/staff/bookings?status=bogus").status_code == 422


def test_changes_need_the_csrf_token(bank, book, login):
    ref = book(bank.code(bank.wang)).get_json()["reference"]
    c = login(bank.wang)
    del c.environ_base["HTTP_X_CSRFTOKEN"]
    r = c.post(f"/api/staff/bookings/{ref}/status", json={"status": "contacted"})
    assert r.status_code == 400 and r.get_json()["message"] == "页面已过期，请刷新后重试。"
    assert c.get(f"/api/staff/bookings/{ref}").get_json()["status"] == "new"


def test_staff_can_book_on_behalf_of_a_walk_in_customer(bank, login):
    c = login(bank.wang)
    body = {"name": "柜台客户", "phone": "13900008888", "product": "consumer-credit", "slot": None,
            "callback": True, "note": "", "consent": True, "consent_version": "2026-12-v2"}
    r = c.post("/api/staff/bookings", json=body)
    assert r.status_code == 201
    assert r.get_json()["source"] == "staff" and r.get_json()["employee"] == "王丽"


def test_new_passwords_are_hashed_with_scrypt_at_owasp_cost(bank, login):
    from server.staff.service import hash_password

    assert hash_password("river-stone-77").startswith("scrypt:32768:8:3$")


def test_logging_in_while_another_process_writes_succeeds(app, bank, client, database_url):
    """SQLite: a read transaction that later writes fails at once ("database is locked") if
    another writer committed in between; login writes its audit entry in a write transaction
    of its own. Here a notification sender in another process commits right after login read
    the employee."""
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL has no such upgrade failure")
    import sqlite3

    from sqlalchemy import event
    from sqlalchemy.engine import make_url

    engine, done = app.extensions["engine"], []

    def other_writer(conn, cursor, statement, *args):
        if not done and statement.startswith("SELECT") and "employee.staff_no =" in statement:
            done.append(True)
            other = sqlite3.connect(make_url(database_url).database)
            other.execute("UPDATE branch SET address = address || ' '")
            other.commit()
            other.close()

    event.listen(engine, "after_cursor_execute", other_writer)
    try:
        r = client.post("/api/staff/login", json={"staff_no": "YQ0001", "password": PASSWORD})
    finally:
        event.remove(engine, "after_cursor_execute", other_writer)
    assert done and r.status_code == 200, r.get_json()
