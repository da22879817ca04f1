"""Out-of-office: a date range and a delegate; bookings for those days go to the delegate."""
from datetime import date, timedelta

from server import access
from server.audit import service as audit
from server.db import begin_write
from sqlmodel import Session, select

from server.errors import ApiError, Invalid
from server.models import Employee, OutOfOffice

MAX_DAYS = 90


def cross_branch_delegates(setting: str) -> frozenset[str]:
    """The staff numbers of CROSS_BRANCH_DELEGATES ("YQ0100, YQ0101"): they may cover any branch."""
    return frozenset(n.strip().upper() for n in setting.split(",") if n.strip())


def set_away(db: Session, *, viewer: Employee, employee: Employee, delegate: Employee, start: date,
             end: date, today: date, reason: str = "", cross_branch: frozenset[str] = frozenset(),
             source: str = "") -> OutOfOffice:
    """Record an absence and its reason, audited (422 for bad dates or delegate, 403 outside the
    viewer's scope).

    The delegate is another active employee of the same branch, or one of `cross_branch`
    (staff numbers head office lets cover any branch)."""
    if not access.may_manage(viewer, employee):
        raise ApiError("forbidden", 403)
    if not today <= start <= end <= start + timedelta(days=MAX_DAYS - 1):
        raise Invalid(start="away_range")
    if not access.may_delegate(employee, delegate, allowed=cross_branch):
        raise Invalid(delegate_staff_no="delegate_invalid")
    away = OutOfOffice(employee_id=employee.id, start=start, end=end, delegate_id=delegate.id,
                       reason=reason, created_by=viewer.id)
    begin_write(db)
    db.add(away)
    audit.record(db, action="out_of_office_set", actor=viewer, target=f"employee:{employee.id}",
                 detail=f"{start}..{end} to employee:{delegate.id}" + (f"; {reason}" if reason else ""),
                 source=source)
    db.commit()
    return away


def listing(db: Session, *, viewer: Employee, today: date) -> list[OutOfOffice]:
    """Current and future absences of the people the viewer oversees (themselves included)."""
    query = select(OutOfOffice).where(OutOfOffice.end >= today).order_by(OutOfOffice.start)
    people = access.people_clause(viewer)
    if people is not None:
        query = query.where(OutOfOffice.employee_id.in_(select(Employee.id).where(people)))
    return list(db.exec(query))


def cancel(db: Session, *, viewer: Employee, away_id: int) -> None:
    begin_write(db)
    away = db.get(OutOfOffice, away_id)
    if away is None or not access.may_manage(viewer, db.get(Employee, away.employee_id)):
        raise ApiError("not_found", 404)
    db.delete(away)
    db.commit()
