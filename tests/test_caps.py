"""Caps everywhere: roster rows and bytes, names and every free-text field have limits that the
import and the API enforce with clear errors; the documented 5 MB roster upload works."""
import io

import pytest

from server.admin import roster

HEADER = "工号,姓名,手机,支行,网格,团队,等级,条线,角色,在岗,备注\n"


def roster_csv(rows: int, pad: int = 0, name: str = "") -> bytes:
    lines = [f"YQ{5000 + i},{name or f'员工{i}'},,平定支行,冠山网格,,初级,微贷类,员工,是,{'备' * pad}\n"
             for i in range(rows)]
    return (HEADER + "".join(lines)).encode()


def upload(c, data: bytes, name="staff.csv", **headers):
    """The multipart body built in memory (the test client would spool a big one to an
    unclosed temporary file)."""
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), filename=name)})
    return c.post("/api/admin/roster", data=body, content_type=f"multipart/form-data; boundary={boundary}",
                  headers=headers)


@pytest.fixture
def admin(bank, login):
    return login(bank.admin)


def test_a_roster_of_a_megabyte_gets_its_dry_run(admin):
    data = roster_csv(2000, pad=160)
    assert 1_000_000 < len(data) < 5 * 1024 * 1024
    r = upload(admin, data)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["errors"] == [] and len(body["changes"]) == 2000 and body["applied"] == 0


def test_a_roster_over_five_megabytes_is_413_with_a_clear_message(admin):
    r = upload(admin, roster_csv(3000, pad=700))
    assert r.status_code == 413
    assert r.get_json()["message"] == "花名册文件最大 5 MB。"


def test_a_roster_over_the_row_cap_is_422_and_not_read_to_its_end(admin, monkeypatch):
    r = upload(admin, roster_csv(roster.MAX_ROWS + 1))
    assert r.status_code == 422
    assert r.get_json()["fields"] == {"file": "花名册最多 5000 行，请分批导入。"}
    # A file of exactly the cap is read (a smaller cap: 5,000 rows' dry run costs half a minute).
    monkeypatch.setattr(roster, "MAX_ROWS", 100)
    monkeypatch.setattr(roster.read, "__defaults__", (100,))
    assert upload(admin, roster_csv(100)).status_code == 200
    assert upload(admin, roster_csv(101)).status_code == 422


def test_an_xlsx_that_expands_past_the_cap_is_refused_while_streaming(admin, monkeypatch):
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADER.strip().split(","))
    for i in range(300):
        sheet.append([f"YQ{5000 + i}", f"员工{i}", "", "平定支行", "", "", "初级", "微贷类", "员工", "是"])
    data = io.BytesIO()
    book.save(data)
    monkeypatch.setattr(roster, "MAX_ROWS", 100)
    monkeypatch.setattr(roster.read, "__defaults__", (100,))
    r = upload(admin, data.getvalue(), name="花名册.xlsx")
    assert r.status_code == 422 and "file" in r.get_json()["fields"]


def test_a_fifteen_thousand_character_name_in_the_roster_is_an_error_on_its_line_and_not_echoed(admin):
    r = upload(admin, roster_csv(1, name="长" * 15_000))
    assert r.status_code == 200
    body = r.get_json()
    assert body["errors"] == [{"line": 2, "column": "姓名", "reason": "最多 40 个字"}]
    assert body["changes"] == [] and "长长长" not in r.get_data(as_text=True)


@pytest.mark.parametrize("path, body, field", [
    ("/api/org/branches", {"name": "x" * 15_000, "kind": "rural"}, "name"),
    ("/api/org/teams", {"branch_id": 1, "name": "长" * 61}, "name"),
    ("/api/org/grids", {"branch_id": 1, "name": "东关网格", "areas": ["长" * 31]}, "areas"),
    ("/api/org/products", {"code": "x", "name": "贷", "line": "agri", "summary": "长" * 201}, "summary"),
    ("/api/handover", {"from_staff_no": "YQ0002", "to_staff_no": "YQ0001", "reason": "长" * 201}, "reason"),
    ("/api/staff/channel-codes", {"channel": "长" * 41}, "channel"),
    ("/api/staff/out-of-office", {"start": "2030-01-01", "end": "2030-01-01", "delegate_staff_no": "Y" * 21},
     "delegate_staff_no"),
    ("/api/staff/password", {"current_password": "x" * 201, "new_password": "river-stone-77"}, "current_password"),
])
def test_every_free_text_field_has_a_cap_the_api_enforces_with_a_422(admin, path, body, field):
    r = admin.post(path, json=body)
    assert r.status_code == 422, r.get_json()
    message = r.get_json()["fields"][field]
    assert message.startswith("最多 ") and message.endswith(" 个字。")


def test_a_long_name_is_refused_when_booking_too(bank, book):
    r = book(bank.code(bank.wang), name="x" * 15_000)
    assert r.status_code == 422 and "name" in r.get_json()["fields"]


def test_a_login_with_a_huge_staff_number_is_422_not_a_search(bank, client):
    r = client.post("/api/staff/login", json={"staff_no": "Y" * 15_000, "password": "x"},
                    headers={"Accept-Language": "en"})
    assert r.status_code == 422 and r.get_json()["fields"]["staff_no"] == "At most 20 characters."


def test_the_openapi_document_shows_the_limits(client):
    schemas = client.get("/openapi.json").get_json()["components"]["schemas"]

    def prop(schema, name):
        found = next(v for k, v in schemas.items() if k.split(".")[0] == schema)
        return found["properties"][name]

    assert prop("LoginIn", "staff_no")["maxLength"] == 20
    assert prop("HandoverIn", "reason")["maxLength"] == 200
    assert prop("BranchIn", "name")["maxLength"] == 60
    assert prop("OutOfOfficeIn", "delegate_staff_no")["maxLength"] == 20


def test_the_roster_upload_needs_the_csrf_token_and_the_check_does_not_read_the_body(admin):
    token = admin.environ_base.pop("HTTP_X_CSRFTOKEN")
    r = upload(admin, roster_csv(2000, pad=160))  # over 64 KB: reading it under that limit would be a 413
    assert r.status_code == 400 and r.get_json()["error"] == "csrf"
    assert upload(admin, roster_csv(3), **{"X-CSRFToken": token}).status_code == 200


def test_staff_changes_behind_tls_need_no_referer(app, bank):
    from tests.conftest import PASSWORD

    c = app.test_client()
    https = {"base_url": "https://shop.test"}
    me = c.post("/api/staff/login", json={"staff_no": "YQ0001", "password": PASSWORD}, **https).get_json()
    r = c.post("/api/staff/channel-codes", json={"channel": "集市"}, headers={"X-CSRFToken": me["csrf_token"],
               "Origin": "https://shop.test"}, **https)  # our pages send no Referer (no-referrer)
    assert r.status_code == 201, r.get_json()
