"""The live stream carries to each staff viewer only what their scope may see, and an open
stream does not keep an idle session alive."""
import json
import threading
import time

from tests.conftest import next_slot


def open_stream(c):
    """A stream opened (subscribed) now; returns a function waiting for its first change."""
    response = c.get("/api/stream", buffered=False)
    chunks = iter(response.response)
    assert next(chunks).startswith(b": ok")
    received = []

    def read():
        for chunk in chunks:
            if b"event: change" in chunk:
                received.append(json.loads(chunk.decode().split("data: ")[1]))
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()

    def first(timeout=2.0):
        reader.join(timeout)
        response.close()
        assert received, "no change event"
        return received[0]
    return first


def test_each_viewer_receives_only_the_changes_their_scope_may_see(bank, login, book):
    viewers = {"owner": bank.wang, "colleague": bank.li, "boss": bank.boss, "other_boss": bank.city_boss,
               "admin": bank.admin}
    streams = {name: open_stream(login(person)) for name, person in viewers.items()}
    assert book(bank.code(bank.wang), slot=next_slot().isoformat()).status_code == 201
    whole = {"type": "booking", "employee_id": bank.wang.id, "branch_id": bank.rural.id}
    seen = {name: first() for name, first in streams.items()}
    assert seen == {"owner": whole, "colleague": {"type": "booking"}, "boss": whole,
                    "other_boss": {"type": "booking"}, "admin": whole}


def test_a_grid_leader_receives_their_grids_changes_whole(bank, db, login, book):
    from server.models import Grid

    leader = bank.employee("YQ0005", "网格长", bank.rural, role="grid_leader")
    east = bank.add(Grid(name="东关网格", branch_id=bank.rural.id, areas="东关村"))
    outsider = bank.employee("YQ0008", "东关经理", bank.rural)
    outsider.grid_id = east.id
    bank.add(outsider)
    c = login(leader)
    first = open_stream(c)
    assert book(bank.code(outsider), phone="13911110002", slot=None, callback=True).status_code == 201
    assert first() == {"type": "booking"}
    first = open_stream(c)
    assert book(bank.code(bank.li), phone="13911110001", slot=None, callback=True).status_code == 201
    assert first() == {"type": "booking", "employee_id": bank.li.id, "branch_id": bank.rural.id}


def test_the_streams_reconnects_do_not_count_as_activity(bank, login, app):
    app.config["SSE_MAX_SECONDS"] = 0  # the stream ends at once, as a reconnect would
    c = login(bank.wang)
    long_ago = int(time.time()) - 600  # ten minutes idle: a refresh would be due
    with c.session_transaction() as s:
        s["seen"] = long_ago
    for _ in range(3):
        r = c.get("/api/stream")
        assert r.status_code == 200
        r.close()
    with c.session_transaction() as s:
        assert s["seen"] == long_ago
    assert c.get("/api/staff/me").status_code == 200  # a person's request does count
    with c.session_transaction() as s:
        assert s["seen"] > long_ago


def test_an_open_tab_with_only_its_stream_reaches_the_idle_limit(bank, login, app):
    app.config["SSE_MAX_SECONDS"] = 0
    c = login(bank.wang)
    with c.session_transaction() as s:
        s["seen"] = int(time.time()) - app.config["SESSION_IDLE_MINUTES"] * 60 + 120  # two minutes left
    c.get("/api/stream").close()  # a reconnect now...
    with c.session_transaction() as s:  # ...and three minutes later
        s["seen"] -= 180
        s["started"] -= 180
    assert c.get("/api/stream").status_code == 401
