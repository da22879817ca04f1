"""The audit log: append-only, written in the same transaction as the action it records."""
import logging
from datetime import date, datetime, time, timedelta

from server.db import begin_write
from sqlmodel import Session, select

from server.clock import TZ, to_utc
from server.models import AuditEntry, Employee, utcnow

log = logging.getLogger("yryd.audit")
ACTIONS = ("login", "login_failed", "logout", "password_changed", "status_changed",
           "phone_revealed", "availability_changed", "customer_erased", "customer_exported",
           "retention_run", "handover", "out_of_office_set", "channel_code_created",
           "roster_imported", "org_changed", "target_set", "target_deleted", "targets_imported",
           "bookings_exported", "level_review_exported")


def record(db: Session, *, action: str, actor: Employee | None = None, target: str = "",
           detail: str = "", source: str = "", commit: bool = False) -> AuditEntry:
    """Add an audit entry (and a log line with the same facts: no personal data).

    With commit=True it is a write transaction of its own (taken up front: on SQLite a read
    transaction that turns into a write fails at once when another writer went first)."""
    if commit:
        begin_write(db)
    entry = AuditEntry(action=action, actor_id=actor.id if actor else None, target=target,
                       detail=detail[:200], source=source[:45], at=utcnow())
    db.add(entry)
    if commit:
        db.commit()
    log.info("audit action=%s actor=%s target=%s source=%s", action,
             actor.staff_no if actor else "-", target or "-", source or "-")
    return entry


def entries(db: Session, *, action: str = "", actor_id: int | None = None, start: date | None = None,
            end: date | None = None, limit: int = 200) -> list[AuditEntry]:
    """Newest first, filtered by action, actor and Asia/Shanghai days."""
    query = select(AuditEntry)
    if action:
        query = query.where(AuditEntry.action == action)
    if actor_id:
        query = query.where(AuditEntry.actor_id == actor_id)
    if start:
        query = query.where(AuditEntry.at >= to_utc(datetime.combine(start, time(0), TZ)))
    if end:
        query = query.where(AuditEntry.at < to_utc(datetime.combine(end + timedelta(days=1), time(0), TZ)))
    return list(db.exec(query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)))


def as_row(db: Session, entry: AuditEntry) -> dict:
    actor = db.get(Employee, entry.actor_id) if entry.actor_id else None
    return {"at": entry.at, "action": entry.action, "actor": f"{actor.staff_no} {actor.name}" if actor else "",
            "target": entry.target, "detail": entry.detail, "source": entry.source}
