"""Shops: codes, who serves a shop, what it offers, and counting visits."""
import secrets
from datetime import date, datetime

from sqlmodel import Session, func, select

from server.boards import rollups
from server.cache import catalog_get, catalog_row
from server.db import begin_write
from server.errors import NotFound
from server.live.bus import publish
from server.clock import local_day
from server.models import (Booking, Branch, Employee, Grid, OutOfOffice, Product, ShopLink, clean_text,
                           utcnow)

# No 0/O/1/I/L: codes get read aloud and typed from posters.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
MAX_HOPS = 10


def new_shop_code() -> str:
    """A short random shop code (~39 bits), not derived from anything about the employee."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def get_link(db: Session, code: str) -> ShopLink:
    code = code.upper()
    link = catalog_row(db, ShopLink, code, lambda: db.exec(select(ShopLink).where(ShopLink.code == code)).first())
    if link is None:
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


def create_channel_code(db: Session, *, owner: Employee, channel: str, grid: bool) -> ShopLink:
    """A new code for one poster, village board or event (渠道码); counted apart in the funnel.

    A grid code sends new customers to the owner's grid's least-loaded active employee.
    """
    from server.errors import ApiError, Invalid

    channel = clean_text(channel).replace("\n", " ")[:40]
    if not channel:
        raise Invalid(channel="required")
    if grid and not owner.grid_id:
        raise ApiError("forbidden", 403)
    link = ShopLink(code=new_shop_code(), employee_id=owner.id, channel=channel,
                    grid_id=owner.grid_id if grid else None)
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


def card(db: Session, employee: Employee) -> dict:
    """The public face of an employee on their shop."""
    branch = db.get(Branch, employee.branch_id)
    grid = db.get(Grid, employee.grid_id) if employee.grid_id else None
    return {"name": employee.name, "initials": employee.name[-2:], "title": employee.title,
            "level": employee.level, "track": employee.track, "intro": employee.intro,
            "branch": branch.name, "branch_address": branch.address,
            "grid": grid.name if grid else "", "grid_areas": grid.areas if grid else "",
            "phone": employee.phone}


def product_dict(p: Product) -> dict:
    return {"code": p.code, "name": p.name, "line": p.line, "method": p.method, "kind": p.kind,
            "summary": p.summary, "audience": p.audience, "amount": p.amount, "term": p.term,
            "documents": [d for d in p.documents.split("、") if d]}


def profile(db: Session, link: ShopLink, today: date | None = None) -> dict:
    """Everything the shop page shows: the serving manager's card and their products."""
    owner = db.get(Employee, link.employee_id)
    manager, reason = serving(db, owner, today or local_day(utcnow()))
    team = []
    if link.grid_id:
        team = [{"name": e.name, "initials": e.name[-2:], "level": e.level, "title": e.title}
                for e in db.exec(select(Employee).where(Employee.grid_id == link.grid_id, Employee.disabled == False)  # noqa: E712
                                 .order_by(Employee.id))]
    return {"code": link.code, "channel": link.channel, "manager": card(db, manager), "grid_team": team,
            "covering": manager.name if reason else None,
            "products": [product_dict(p) for p in products_for(db, manager)]}


def record_visit(db: Session, *, link: ShopLink, channel: str = "",
                 now: datetime | None = None) -> None:
    """Count one shop visit for whoever serves the shop now."""
    now = now or utcnow()
    begin_write(db)
    manager, _ = serving(db, db.get(Employee, link.employee_id))
    channel = clean_text(channel)[:40] or link.channel
    rollups.record(db, rollups.now_event(
        "visit", now, employee_id=manager.id, branch_id=manager.branch_id,
        shop_link_id=link.id, channel=channel))
    db.commit()
    publish({"type": "visit", "employee_id": manager.id, "branch_id": manager.branch_id})
