"""Bookings export (预约明细): CSV and XLSX, streamed with the row count up front, scoped like the
booking lists, phones masked except for the routed manager, formulas neutralised."""
import csv
import io

from openpyxl import load_workbook

from server.models import Booking, Customer


def many(bank, db, employee, n, start=0):
    """n call-back bookings for `employee`, written directly (fast)."""
    customers = [Customer(phone=f"137{start + i:08d}", employee_id=employee.id) for i in range(n)]
    db.add_all(customers)
    db.flush()
    db.add_all(Booking(reference=f"X{start + i:07d}", customer_id=c.id, employee_id=employee.id,
                       branch_id=employee.branch_id, product_id=bank.products[0].id, name="客户",
                       route_reason="new_customer", consent_version="2026-11-v1", token_hash=f"t{start + i}")
               for i, c in enumerate(customers))
    db.commit()


def read_csv(response) -> list[dict]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_the_export_is_streamed_in_batches_with_the_row_count_first(bank, db, login):
    many(bank, db, bank.li, 2500)
    r = login(bank.li).get("/api/staff/bookings/export.csv")
    assert r.status_code == 200 and r.is_streamed and r.headers["X-Total-Rows"] == "2500"
    chunks = list(r.response)
    assert len(chunks) >= 3  # handed over a batch at a time, not built whole
    assert sum(chunk.count(b"\n") for chunk in chunks) == 2501
    x = login(bank.li).get("/api/staff/bookings/export.xlsx")
    assert x.is_streamed and x.headers["X-Total-Rows"] == "2500"
    parts = list(x.response)
    assert len(parts) >= 5
    sheet = load_workbook(io.BytesIO(b"".join(parts)), read_only=True)["预约明细"]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2501 and rows[0][:4] == ("预约号", "状态", "客户", "手机")


def test_phones_are_masked_except_for_the_routed_manager_and_names_cannot_run_as_formulas(bank, book, login):
    assert book(bank.code(bank.li), name="=HYPERLINK(\"x\")", note="+SUM(A1)").status_code == 201
    own = read_csv(login(bank.li).get("/api/staff/bookings/export.csv"))
    assert own[0]["手机"] == "13812345678"
    assert own[0]["客户"].startswith("'=HYPERLINK") and own[0]["备注"] == "'+SUM(A1)"
    assert own[0]["客户经理"] == "李强" and own[0]["状态"] == "待联系"
    boss = read_csv(login(bank.boss).get("/api/staff/bookings/export.csv?scope=branch"))
    assert boss[0]["手机"] == "138****5678"
    x = login(bank.boss).get("/api/staff/bookings/export.xlsx?scope=branch")
    row = list(load_workbook(io.BytesIO(x.data))["预约明细"].iter_rows(values_only=True))[1]
    assert row[3] == "138****5678" and row[2].startswith("'=HYPERLINK")


def test_the_export_is_scoped_like_the_booking_lists(bank, db, login):
    many(bank, db, bank.li, 3)
    many(bank, db, bank.zhao, 2, start=100)
    assert len(read_csv(login(bank.wang).get("/api/staff/bookings/export.csv"))) == 0
    assert len(read_csv(login(bank.boss).get("/api/staff/bookings/export.csv?scope=branch"))) == 3
    assert len(read_csv(login(bank.admin).get("/api/staff/bookings/export.csv?scope=all"))) == 5
    assert login(bank.li).get("/api/staff/bookings/export.csv?scope=branch").status_code == 403
    assert login(bank.boss).get("/api/staff/bookings/export.csv?scope=all").status_code == 403
    assert login(bank.li).get("/api/staff/bookings/export.csv?scope=everything").status_code == 422
    assert login(bank.li).get("/api/staff/bookings/export.pdf").status_code == 404
    entries = login(bank.admin).get("/api/audit?action=bookings_exported").get_json()["items"]
    assert [e["detail"] for e in entries][-1] == "csv 0 rows"
