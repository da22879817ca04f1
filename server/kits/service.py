"""Print kits from the database: who is on them, and their posters and grid service boards."""
from sqlmodel import Session, select

import qr
from server.audit import service as audit
from server.models import Branch, Employee, Grid, ShopLink
from server.shops.service import own_link

LEVELS = {"trainee": "见习", "junior": "初级", "mid": "中级", "senior": "高级"}


def person(db: Session, employee: Employee, base_url: str, link: ShopLink | None = None) -> qr.Person:
    """`employee` as printed on the poster of their own shop link, or of `link` (a channel code)."""
    grid = db.get(Grid, employee.grid_id) if employee.grid_id else None
    link = link or own_link(db, employee)
    return qr.Person(name=employee.name, level_label=f"{LEVELS[employee.level]}{employee.title or '客户经理'}",
                     branch=db.get(Branch, employee.branch_id).name, grid=grid.name if grid else "",
                     grid_areas=grid.areas if grid else "", url=f"{base_url}/s/{link.code}",
                     channel=link.channel)


def posters(db: Session, employee: Employee, base_url: str) -> list[qr.Person]:
    """Everything printed for one employee: their own poster, then one per channel code in use."""
    codes = db.exec(select(ShopLink).where(ShopLink.employee_id == employee.id, ShopLink.channel != "",
                                           ShopLink.retired_at == None)  # noqa: E711
                    .order_by(ShopLink.created_at, ShopLink.id)).all()
    return [person(db, employee, base_url), *(person(db, employee, base_url, link) for link in codes)]


def people(db: Session, *, employee_id: int | None = None, grid_id: int | None = None,
           branch_id: int | None = None) -> list[Employee]:
    """The active employees a kit is for: one person, a grid or a whole branch."""
    query = select(Employee).where(Employee.disabled == False).order_by(Employee.staff_no)  # noqa: E712
    if employee_id:
        query = query.where(Employee.id == employee_id)
    if grid_id:
        query = query.where(Employee.grid_id == grid_id)
    if branch_id:
        query = query.where(Employee.branch_id == branch_id)
    return list(db.exec(query))


def build(db: Session, employees: list[Employee], *, bank: str, hotline: str, base_url: str,
          fmt: str, dpi: int = 300, progress=None) -> bytes:
    """A PDF (each person's posters, their channel codes' too, then one service board per
    grid) or a ZIP of PNG posters.

    The database is read first; the drawing (seconds for a branch) runs in a real thread
    under gevent, so the worker's other requests and live streams keep being served.
    """
    persons = [p for e in employees for p in posters(db, e, base_url)]
    return off_the_event_loop(draw, persons, bank=bank, hotline=hotline, fmt=fmt, dpi=dpi,
                              progress=progress)


def record_printed(db: Session, *, actor: Employee, scope: str, target_id: int, people: int, fmt: str,
                   source: str) -> None:
    """Audit a kit made: who printed whose posters, how many, from where (an address or "cli")."""
    audit.record(db, action="kit_printed", actor=actor, target=f"{scope}:{target_id}",
                 detail=f"{people} people, {fmt}", source=source, commit=True)


def off_the_event_loop(fn, *args, **kwargs):
    """fn(*args, **kwargs) in gevent's pool of OS threads when this process is a gevent
    worker (the hub keeps its share of the CPU), else simply called."""
    from gevent import get_hub
    from gevent.monkey import is_module_patched

    if is_module_patched("threading"):
        return get_hub().threadpool.apply(fn, args, kwargs)
    return fn(*args, **kwargs)


def one_poster(db: Session, link: ShopLink, *, bank: str, hotline: str, base_url: str, fmt: str,
               dpi: int = 300) -> bytes:
    """The poster of one channel code, as a PNG or a one-page PDF."""
    printed = person(db, db.get(Employee, link.employee_id), base_url, link)
    if fmt == "png":
        return off_the_event_loop(_png, printed, bank=bank, hotline=hotline, dpi=dpi)
    return off_the_event_loop(qr.pdf, qr.Kit(bank=bank, hotline=hotline, people=[printed],
                                             title=f"{bank} · 渠道码 · {link.channel}"), dpi=dpi)


def _png(printed: qr.Person, *, bank: str, hotline: str, dpi: int) -> bytes:
    import io

    out = io.BytesIO()
    qr.poster_image(printed, bank=bank, hotline=hotline, dpi=dpi).save(out, "PNG", dpi=(dpi, dpi))
    return out.getvalue()


def draw(persons: list[qr.Person], *, bank: str, hotline: str, fmt: str, dpi: int, progress=None) -> bytes:
    """The kit's bytes: posters, then every grid's service board (公示牌), as many pages as its
    people need: a PDF, or a ZIP of PNGs."""
    kit = qr.Kit(bank=bank, hotline=hotline, people=persons, title=f"{bank} · 一人一店 印刷物料")
    boards: dict[str, list[qr.Person]] = {}
    for p in persons:
        if p.grid and not p.channel:  # a board shows each person once, with their own code
            boards.setdefault(p.grid, []).append(p)
    if fmt == "zip":
        return qr.png_zip(kit, progress=progress, dpi=dpi, service_boards=boards)
    return qr.pdf(kit, service_boards=boards, progress=progress, dpi=dpi)
