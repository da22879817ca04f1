"""Bookings export (预约明细): the bookings a viewer may list, as CSV or XLSX, streamed.

Rows come from a server-side cursor (`yield_per`) in a session of the export's own (the
request's session is closed before a streamed body is sent), and leave in batches: memory stays
flat at 100,000 rows. Phones are masked except for the booking's routed manager; every text cell
is neutralised against spreadsheet formulas.
"""
import csv
import io
from typing import Iterator

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from server.clock import local
from server.models import Booking, Branch, Customer, Employee, Product, mask_phone
from server.reports import xlsx_stream
from server.reports.export import neutralise
from server.staff.service import _visible

COLUMNS = [("reference", "预约号"), ("status", "状态"), ("customer", "客户"), ("phone", "手机"),
           ("product", "业务"), ("slot", "预约时间"), ("manager", "客户经理"), ("staff_no", "工号"),
           ("branch", "支行"), ("source", "来源"), ("channel", "渠道"), ("note", "备注"), ("flag", "异常标记"),
           ("created_at", "提交时间")]
STATUS_NAMES = {"new": "待联系", "contacted": "已联系", "arrived": "已到店", "completed": "已办结",
                "cancelled": "已取消", "no_show": "未到店"}
SOURCE_NAMES = {"shop": "客户自助", "staff": "代客预约"}
BATCH = 1000


def count(db: Session, *, viewer: Employee, scope: str) -> int:
    """How many rows the export will have (the progress bar's 100 %); 403 outside the scope."""
    return db.exec(select(func.count()).select_from(Booking).where(_visible(viewer, scope))).one()


def rows(engine: Engine, *, viewer_id: int, where) -> Iterator[list]:
    """Each visible booking as a list of cells in COLUMNS order, oldest first."""
    with Session(engine) as db:
        names = {e.id: (e.name, e.staff_no) for e in db.exec(select(Employee))}
        branches = {b.id: b.name for b in db.exec(select(Branch))}
        products = {p.id: p.name for p in db.exec(select(Product))}
        query = (select(Booking.reference, Booking.status, Booking.name, Customer.phone, Booking.product_id,
                        Booking.slot_start, Booking.employee_id, Booking.branch_id, Booking.source,
                        Booking.channel, Booking.note, Booking.flag, Booking.created_at)
                 .join(Customer, Customer.id == Booking.customer_id).where(where).order_by(Booking.id)
                 .execution_options(yield_per=BATCH))
        for (ref, status, name, phone, product, slot, manager, branch, source, channel, note, flag,
             created) in db.exec(query):
            who, staff_no = names.get(manager, ("", ""))
            yield [ref, STATUS_NAMES.get(status, status), name, phone if manager == viewer_id else mask_phone(phone),
                   products.get(product, ""), _time(slot) if slot else "请回电", who, staff_no,
                   branches.get(branch, ""), SOURCE_NAMES.get(source, source), channel, note, flag,
                   _time(created)]


def _time(moment) -> str:
    return local(moment).strftime("%Y-%m-%d %H:%M")


def csv_stream(cells: Iterator[list]) -> Iterator[bytes]:
    """UTF-8 CSV with a BOM (Excel reads the Chinese right), one line per booking."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([h for _, h in COLUMNS])
    yield ("\ufeff" + out.getvalue()).encode()
    out.seek(0), out.truncate()
    for n, row in enumerate(cells, 1):
        writer.writerow([neutralise(" ".join(str(c).split())) for c in row])  # one line per row
        if n % BATCH == 0:
            yield out.getvalue().encode()
            out.seek(0), out.truncate()
    yield out.getvalue().encode()


def xlsx_stream_of(cells: Iterator[list]) -> Iterator[bytes]:
    return xlsx_stream.stream([h for _, h in COLUMNS], cells, sheet="预约明细")
