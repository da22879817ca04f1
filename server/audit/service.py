"""The audit log: append-only, written in the same transaction as the action it records."""
import logging
from datetime import date, datetime, time, timedelta

from server.db import begin_write
from sqlmodel import Session, select

from server import listing
from server.clock import TZ, to_utc
from server.listing import Search
from server.models import AuditEntry, Booking, Customer, Employee, Grid, Team, utcnow

log = logging.getLogger("yryd.audit")
ACTIONS = ("login", "login_failed", "logout", "password_changed", "status_changed",
           "phone_revealed", "availability_changed", "customer_erased", "customer_exported",
           "retention_run", "handover", "out_of_office_set", "channel_code_created",
           "channel_code_renamed", "channel_code_retired",
           "roster_imported", "org_changed", "target_set", "target_deleted", "targets_imported",
           "bookings_exported", "level_review_exported", "kit_printed", "report_made",
           "wall_link_created", "wall_link_revoked")


def mask(identifier: str) -> str:
    """A typed identifier as the audit keeps it: enough to spot a pattern, not the value
    (YQ0001 -> YQ****01; short ones keep their first character)."""
    value = identifier.strip().upper()[:20]
    if len(value) >= 6:
        return value[:2] + "****" + value[-2:]
    return value[:1] + "***" if value else ""


def record(db: Session, *, action: str, actor: Employee | None = None, target: str = "",
           detail: str = "", source: str = "", commit: bool = False,
           branch_id: int | None = None) -> AuditEntry:
    """Add an audit entry (and a log line with the same facts: no personal data).

    The entry is filed under the branch it concerns (`branch_id`, else its target's, else its
    actor's), which is what that branch's head sees. With commit=True it is a write transaction
    of its own (taken up front: on SQLite a read transaction that turns into a write fails at
    once when another writer went first)."""
    if commit:
        begin_write(db)
    if branch_id is None:
        branch_id = branch_of(db, target) or (actor.branch_id if actor else None)
    entry = AuditEntry(action=action, actor_id=actor.id if actor else None, target=target,
                       detail=detail[:200], source=source[:45], at=utcnow(), branch_id=branch_id)
    db.add(entry)
    if commit:
        db.commit()
    log.info("audit action=%s actor=%s target=%s source=%s", action,
             actor.staff_no if actor else "-", target or "-", source or "-")
    return entry


def record_failed_login(db: Session, *, typed: str, source: str) -> AuditEntry:
    """A failed login, keeping only a masked form of the staff number typed, filed under the
    branch of the account it names (if any) so that branch's head sees attacks on their people."""
    branch_id = db.exec(select(Employee.branch_id).where(Employee.staff_no == typed.strip().upper()[:20])).first()
    return record(db, action="login_failed", target=f"staff:{mask(typed)}", source=source, commit=True,
                  branch_id=branch_id)


def branch_of(db: Session, target: str) -> int | None:
    """The branch a target such as booking:YQ7K3P9D or employee:12 belongs to, if it has one."""
    kind, _, key = target.partition(":")
    if kind == "booking":
        return db.exec(select(Booking.branch_id).where(Booking.reference == key)).first()
    if kind == "staff":
        return db.exec(select(Employee.branch_id).where(Employee.staff_no == key)).first()
    if kind == "branch" and key.isdigit():
        return int(key)
    model = {"employee": Employee, "grid": Grid, "team": Team}.get(kind)
    if model is not None and key.isdigit():
        row = db.get(model, int(key))
        return row.branch_id if row else None
    if kind == "customer" and key.isdigit():
        customer = db.get(Customer, int(key))
        manager = db.get(Employee, customer.employee_id) if customer else None
        return manager.branch_id if manager else None
    return None


def entries(db: Session, *, action: str = "", actor_id: int | None = None, start: date | None = None,
            end: date | None = None, search: Search | None = None, cursor: str | None = None,
            limit: int = 200, branch_id: int | None = None) -> tuple[list[AuditEntry], str | None]:
    """A page of entries newest first, filtered by action, actor, Asia/Shanghai days, a search
    (server/listing.py) and (for a branch head) branch; and the cursor of the next page."""
    query = select(AuditEntry)
    if action:
        query = query.where(AuditEntry.action == action)
    if actor_id:
        query = query.where(AuditEntry.actor_id == actor_id)
    if branch_id is not None:
        query = query.where(AuditEntry.branch_id == branch_id)
    if start:
        query = query.where(AuditEntry.at >= to_utc(datetime.combine(start, time(0), TZ)))
    if end:
        query = query.where(AuditEntry.at < to_utc(datetime.combine(end + timedelta(days=1), time(0), TZ)))
    if search:
        query = query.where(listing.audit_clause(search))
    return listing.page(db, query, AuditEntry.at, AuditEntry.id, cursor=cursor, limit=limit)
