"""Channel codes (渠道码): more shop codes of one employee, one per poster, village board or event,
so each is counted apart.

Results belong to the code (FunnelStat.shop_link_id), never to its name: a name is a label its
owner may change, and every number, past ones included, is shown under the code's current name.
A retired code answers like a dead end that offers its owner's own shop (server/shops/deadend.py)
and counts no new visit or booking; what it counted before stays.

Owners manage their codes; whoever may manage the owner (server/access.py) may too.
"""
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from server import access
from server.audit import service as audit
from server.db import begin_write
from server.errors import ApiError, Conflict, Invalid, NotFound
from server.models import Employee, FunnelStat, Grid, ShopLink, clean_text, utcnow
from server.shops.service import new_shop_code

NAME_MAX = 40
RESERVED = {"walk-in", "phone"}  # staff bookings' channels: a code may not pass for one of them
COUNTERS = ("visits", "bookings", "arrived", "completed")
SCOPES = ("mine", "team")
LIST_MAX = 1000


def clean_name(text: str) -> str:
    """A channel name as kept: control characters gone, runs of spaces as one, trimmed."""
    name = " ".join(clean_text(text).split())
    if not name:
        raise Invalid(channel="required")
    if len(name) > NAME_MAX:
        raise Invalid(channel="channel_name")
    if name.casefold() in RESERVED:
        raise Invalid(channel="channel_reserved")
    return name


def _name_free(db: Session, owner_id: int, name: str, but: int | None = None) -> None:
    """422 when the owner has another code in use by this name (letter case aside)."""
    names = db.exec(select(ShopLink.id, ShopLink.channel).where(
        ShopLink.employee_id == owner_id, ShopLink.channel != "", ShopLink.retired_at == None)).all()  # noqa: E711
    if any(c.casefold() == name.casefold() and i != but for i, c in names):
        raise Invalid(channel="channel_taken")


def _commit(db: Session) -> None:
    """Commit; two requests racing for one name: the unique index refuses the second."""
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        raise Invalid(channel="channel_taken") from None


def create(db: Session, *, owner: Employee, channel: str, grid: bool, source: str = "") -> ShopLink:
    """A new code for one poster, village board or event, owned by `owner` (who asks for it).

    A grid code sends new customers to the owner's grid's least-loaded active employee."""
    name = clean_name(channel)
    if grid and not owner.grid_id:
        raise ApiError("forbidden", 403)
    begin_write(db)
    _name_free(db, owner.id, name)
    link = ShopLink(code=new_shop_code(), employee_id=owner.id, channel=name,
                    grid_id=owner.grid_id if grid else None)
    db.add(link)
    db.flush()
    audit.record(db, action="channel_code_created", actor=owner, target=f"code:{link.code}",
                 branch_id=owner.branch_id, source=source)
    _commit(db)
    return link


def hand_over(db: Session, links: list[ShopLink], *, source: Employee, target: Employee) -> None:
    """Move `links` to `target` (a handover): a code in use whose name the target already uses
    for one of theirs is renamed after its former owner, 村口海报（王丽）; the caller commits."""
    taken = {c.casefold() for c in db.exec(select(ShopLink.channel).where(
        ShopLink.employee_id == target.id, ShopLink.channel != "", ShopLink.retired_at == None))}  # noqa: E711
    for link in links:
        if link.channel and link.retired_at is None:
            name = link.channel
            # the same name from the same former owner too: then the code tells them apart
            for suffix in (f"（{source.name[:12]}）", f" {link.code}"):
                if name.casefold() in taken:
                    name = link.channel[:NAME_MAX - len(suffix)] + suffix
            link.channel = name
            taken.add(name.casefold())
        link.employee_id = target.id


def find(db: Session, code: str) -> ShopLink:
    """A channel code by its code, in use or retired (an own shop link is not one)."""
    link = db.exec(select(ShopLink).where(ShopLink.code == code.upper()[:16], ShopLink.channel != "")).first()
    if link is None:
        raise NotFound("not_found")
    return link


def _managed(db: Session, viewer: Employee, link: ShopLink) -> Employee:
    """The code's owner, if `viewer` may manage their codes (else 403)."""
    owner = db.get(Employee, link.employee_id)
    access.require(access.may_manage_codes(viewer, owner))
    return owner


def rename(db: Session, *, viewer: Employee, link: ShopLink, channel: str, source: str = "") -> ShopLink:
    """Give a code in use a new name; its results, past ones too, go under the new name."""
    owner = _managed(db, viewer, link)
    name = clean_name(channel)
    if link.retired_at is not None:
        raise Conflict("channel_retired")
    if name == link.channel:
        return link
    begin_write(db)
    link = db.get(ShopLink, link.id, populate_existing=True)
    _name_free(db, owner.id, name, but=link.id)
    old, link.channel = link.channel, name
    audit.record(db, action="channel_code_renamed", actor=viewer, target=f"code:{link.code}",
                 detail=f"{old} → {name}", branch_id=owner.branch_id, source=source)
    _commit(db)
    return link


def retire(db: Session, *, viewer: Employee, link: ShopLink, source: str = "") -> ShopLink:
    """Take a code out of use (once: retiring it again changes nothing)."""
    owner = _managed(db, viewer, link)
    if link.retired_at is not None:
        return link
    begin_write(db)
    link = db.get(ShopLink, link.id, populate_existing=True)
    link.retired_at = utcnow()
    audit.record(db, action="channel_code_retired", actor=viewer, target=f"code:{link.code}",
                 detail=link.channel, branch_id=owner.branch_id, source=source)
    db.commit()
    return link


def listing(db: Session, *, viewer: Employee, scope: str, start: date | None = None,
            end: date | None = None) -> list[dict]:
    """The codes `viewer` may see (`mine`, or everyone's they oversee: `team`), in use first and
    newest first, each with its numbers between `start` and `end` (ever, without them)."""
    query = select(ShopLink).where(ShopLink.channel != "")
    if scope == "mine":
        query = query.where(ShopLink.employee_id == viewer.id)
    else:
        clause = access.people_clause(viewer)
        if clause is not None:
            query = query.where(ShopLink.employee_id.in_(select(Employee.id).where(clause)))
    links = db.exec(query.order_by(ShopLink.retired_at != None, ShopLink.created_at.desc(),  # noqa: E711
                                   ShopLink.id.desc()).limit(LIST_MAX)).all()
    owners = {e.id: e for e in db.exec(select(Employee).where(Employee.id.in_({k.employee_id for k in links})))}
    grids = {g.id: g.name for g in db.exec(select(Grid))} if any(k.grid_id for k in links) else {}
    counts = numbers(db, [k.id for k in links], start, end)
    return [{"code": k.code, "channel": k.channel, "grid": grids.get(k.grid_id), "created_at": k.created_at,
             "retired_at": k.retired_at, "owner": owners[k.employee_id].name,
             "owner_staff_no": owners[k.employee_id].staff_no,
             "can_manage": access.may_manage_codes(viewer, owners[k.employee_id]),
             "numbers": counts.get(k.id, dict.fromkeys(COUNTERS, 0))} for k in links]


def numbers(db: Session, link_ids: list[int], start: date | None = None,
            end: date | None = None) -> dict[int, dict]:
    """Visits, bookings, verified arrivals and completions per code, from the funnel rollup."""
    if not link_ids:
        return {}
    sums = [func.coalesce(func.sum(getattr(FunnelStat, c)), 0) for c in COUNTERS]
    query = select(FunnelStat.shop_link_id, *sums).where(FunnelStat.shop_link_id.in_(link_ids))
    if start is not None:
        query = query.where(FunnelStat.day >= start, FunnelStat.day <= end)
    return {row[0]: dict(zip(COUNTERS, map(int, row[1:])))
            for row in db.exec(query.group_by(FunnelStat.shop_link_id))}


def labels(db: Session, link_ids) -> dict[int, str]:
    """The current name of each channel code among `link_ids` (own shop links have none)."""
    ids = [i for i in set(link_ids) if i]
    if not ids:
        return {}
    return dict(db.exec(select(ShopLink.id, ShopLink.channel).where(ShopLink.id.in_(ids), ShopLink.channel != "")).all())
