"""Shops: codes, who serves a shop, what it offers, and counting visits."""
import secrets
from datetime import date, datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, func, select

from server.boards import rollups
from server.cache import catalog_get, catalog_row, catalog_value
from server.db import begin_write
from server.errors import NotFound
from server.live.bus import publish
from server.clock import local_day
from server.models import (Booking, Branch, Employee, Grid, OutOfOffice, Product, ShopLink, VisitDevice,
                           clean_text, utcnow)

# No 0/O/1/I/L: codes get read aloud and typed from posters.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
MAX_HOPS = 10


def new_shop_code() -> str:
    """A short random shop code (~39 bits), not derived from anything about the employee."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def get_link(db: Session, code: str) -> ShopLink:
    """The shop code in use that customers scanned or typed; a retired channel code leads nowhere
    (no page, no visit, no booking: its dead end says where to go instead)."""
    code = code.upper()
    link = catalog_row(db, ShopLink, code, lambda: db.exec(select(ShopLink).where(ShopLink.code == code)).first())
    if link is None or link.retired_at is not None:
        raise NotFound("shop_not_found")
    return link


def own_link(db: Session, employee: Employee) -> ShopLink:
    """The employee's personal shop link (channel ""), created on first use."""
    link = db.exec(select(ShopLink).where(ShopLink.employee_id == employee.id,
                                          ShopLink.channel == "")).first()
    if link is None:
        link = ShopLink(code=new_shop_code(), employee_id=employee.id)
        db.add(link)
        db.commit()
    return link


def active_successor(db: Session, employee: Employee) -> Employee | None:
    """Follow the successor chain from a left employee to the first active one, if any."""
    seen = {employee.id}
    current = employee
    while current.disabled and current.successor_id and len(seen) <= MAX_HOPS:
        current = db.get(Employee, current.successor_id)
        if current is None or current.id in seen:
            return None
        seen.add(current.id)
    return None if current.disabled else current


def branch_pool(db: Session, branch_id: int) -> Employee:
    """Who takes a branch's customers when nobody else can: its manager, else its first active employee."""
    candidates = db.exec(
        select(Employee).where(Employee.branch_id == branch_id, Employee.disabled == False)  # noqa: E712
        .order_by((Employee.role == "branch_manager").desc(), Employee.id)).all()
    if not candidates:
        raise NotFound("shop_not_found")
    return candidates[0]


def serving(db: Session, employee: Employee, day: date | None = None) -> tuple[Employee, str]:
    """Who serves `employee`'s customers (on `day`, if given), and why (a routing reason code).

    Left the bank → successor, else the branch; away on `day` → their delegate.
    """
    if employee.disabled:
        successor = active_successor(db, employee)
        employee, reason = (successor, "successor") if successor else (branch_pool(db, employee.branch_id), "branch_pool")
    else:
        reason = ""
    if day is not None:
        away = catalog_row(db, OutOfOffice, (employee.id, day), lambda: db.exec(
            select(OutOfOffice).where(OutOfOffice.employee_id == employee.id, OutOfOffice.start <= day,
                                      OutOfOffice.end >= day).order_by(OutOfOffice.id.desc())).first())
        delegate = catalog_get(db, Employee, away.delegate_id) if away else None
        if delegate is not None and not delegate.disabled:
            return delegate, "out_of_office"
    return employee, reason


def least_loaded(db: Session, grid_id: int) -> Employee | None:
    """The grid's active employee with the fewest open bookings (ties: lowest id)."""
    open_count = (select(func.count()).select_from(Booking)
                  .where(Booking.employee_id == Employee.id, Booking.status.in_(("new", "contacted")))
                  .scalar_subquery())
    return db.exec(select(Employee).where(Employee.grid_id == grid_id, Employee.disabled == False)  # noqa: E712
                   .order_by(open_count, Employee.id)).first()


def products_for(db: Session, employee: Employee) -> list[Product]:
    """The active products an employee's track offers, in display order."""
    products = db.exec(select(Product).where(Product.active == True)  # noqa: E712
                       .order_by(Product.sort, Product.id)).all()
    return [p for p in products if employee.track in p.tracks.split(",")]


def offered(db: Session, link: ShopLink, day: date) -> frozenset[str]:
    """The codes of the products the shop behind `link` shows on `day` (its profile's list):
    active, and offered by the track of whoever serves the shop that day. Kept per worker
    with the catalog: a booking checks it without a query."""
    def build():
        manager, _ = serving(db, catalog_get(db, Employee, link.employee_id), day)
        return frozenset(p.code for p in products_for(db, manager))

    return catalog_value(db, ("offered", link.employee_id, day), build)


def english(row, field: str) -> str:
    """`row`'s English `field` (its `field_en` column), else its Chinese: per field, never empty
    where the Chinese is not. The shop's one cached payload carries both languages, so the
    PWA switches language offline and the cache holds one entry per shop and day."""
    return getattr(row, field + "_en") or getattr(row, field)


def _both(row, *fields: str) -> dict:
    """{field: the Chinese, field_en: the English or the Chinese} for each field."""
    return {key: value for f in fields for key, value in ((f, getattr(row, f)), (f + "_en", english(row, f)))}


def card(db: Session, employee: Employee) -> dict:
    """The public face of an employee on their shop, in Chinese and English."""
    branch = db.get(Branch, employee.branch_id)
    grid = db.get(Grid, employee.grid_id) if employee.grid_id else None
    return {"name": employee.name, "initials": employee.name[-2:], "level": employee.level,
            "track": employee.track, **_both(employee, "title", "intro"),
            "branch": branch.name, "branch_en": english(branch, "name"),
            "branch_address": branch.address, "branch_address_en": english(branch, "address"),
            "grid": grid.name if grid else "", "grid_en": english(grid, "name") if grid else "",
            "grid_areas": grid.areas if grid else "", "grid_areas_en": english(grid, "areas") if grid else "",
            "phone": employee.phone}


def _items(text: str) -> list[str]:
    return [d for d in text.split("、") if d]


def product_dict(p: Product) -> dict:
    return {"code": p.code, "line": p.line, "method": p.method, "kind": p.kind,
            **_both(p, "name", "summary", "audience", "amount", "term"),
            "documents": _items(p.documents), "documents_en": _items(english(p, "documents"))}


def profile(db: Session, link: ShopLink, today: date | None = None) -> dict:
    """Everything the shop page shows: the serving manager's card and their products."""
    owner = db.get(Employee, link.employee_id)
    manager, reason = serving(db, owner, today or local_day(utcnow()))
    team = []
    if link.grid_id:
        team = [{"name": e.name, "initials": e.name[-2:], "level": e.level, "title": e.title,
                 "title_en": english(e, "title")}
                for e in db.exec(select(Employee).where(Employee.grid_id == link.grid_id, Employee.disabled == False)  # noqa: E712
                                 .order_by(Employee.id))]
    return {"code": link.code, "channel": link.channel, "manager": card(db, manager), "grid_team": team,
            "covering": manager.name if reason else None,
            "products": [product_dict(p) for p in products_for(db, manager)]}


def record_visit(db: Session, *, link: ShopLink, channel: str = "", device: str = "",
                 now: datetime | None = None) -> None:
    """Count one shop visit for whoever serves the shop now: once per device (a hash of the
    shop's random app id, else of the address), day and shop. Visits are reach, not score."""
    now = now or utcnow()
    begin_write(db)
    if device and not _first_visit(db, link, device, local_day(now)):
        db.rollback()
        return
    manager, _ = serving(db, db.get(Employee, link.employee_id))
    channel = clean_text(channel)[:40] or link.channel
    rollups.record(db, rollups.now_event(
        "visit", now, employee_id=manager.id, branch_id=manager.branch_id,
        shop_link_id=link.id, channel=channel))
    db.commit()
    publish({"type": "visit", "employee_id": manager.id, "branch_id": manager.branch_id})


def _first_visit(db: Session, link: ShopLink, device: str, day: date) -> bool:
    """Note that `device` visited `link` on `day`; False if it had already (the database decides)."""
    dialect = db.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(VisitDevice.__table__)
    done = db.execute(insert.values(day=day, shop_link_id=link.id, device=device)
                      .on_conflict_do_nothing().returning(VisitDevice.__table__.c.id)).first()
    return done is not None
