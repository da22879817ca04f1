"""Out-of-office: a date range and a delegate; bookings for those days go to the delegate."""
from datetime import date, timedelta

from server.db import begin_write
from sqlmodel import Session, select

from server.errors import ApiError, Invalid
from server.models import Employee, OutOfOffice

MAX_DAYS = 90


def may_manage(viewer: Employee, employee: Employee) -> bool:
    """Yourself; a branch manager their branch's people; an admin anyone."""
    return (viewer.id == employee.id or viewer.role == "admin"
            or (viewer.role == "branch_manager" and viewer.branch_id == employee.branch_id))


def set_away(db: Session, *, viewer: Employee, employee: Employee, delegate: Employee, start: date,
             end: date, today: date) -> OutOfOffice:
    """Record an absence (422 for bad dates or delegate, 403 outside the viewer's scope)."""
    if not may_manage(viewer, employee):
        raise ApiError("forbidden", 403)
    if not today <= start <= end <= start + timedelta(days=MAX_DAYS - 1):
        raise Invalid(start="away_range")
    if delegate.id == employee.id or delegate.disabled:
        raise Invalid(delegate_staff_no="handover_target")
    away = OutOfOffice(employee_id=employee.id, start=start, end=end, delegate_id=delegate.id,
                       created_by=viewer.id)
    begin_write(db)
    db.add(away)
    db.commit()
    return away


def listing(db: Session, *, viewer: Employee, today: date) -> list[OutOfOffice]:
    """Current and future absences the viewer may see (their own; managers: their branch)."""
    query = select(OutOfOffice).where(OutOfOffice.end >= today).order_by(OutOfOffice.start)
    if viewer.role == "branch_manager":
        query = query.where(OutOfOffice.employee_id.in_(
            select(Employee.id).where(Employee.branch_id == viewer.branch_id)))
    elif viewer.role != "admin":
        query = query.where(OutOfOffice.employee_id == viewer.id)
    return list(db.exec(query))


def cancel(db: Session, *, viewer: Employee, away_id: int) -> None:
    begin_write(db)
    away = db.get(OutOfOffice, away_id)
    if away is None or not may_manage(viewer, db.get(Employee, away.employee_id)):
        raise ApiError("not_found", 404)
    db.delete(away)
    db.commit()
