"""Targets: progress for everyone in scope (/api/boards/targets), set and import for head
office (/api/admin/targets). Thin: read, check, call targets.py, serialise."""
from flask import Blueprint, request
from flask_login import login_required

from server import access
from server.admin import roster
from server.boards import targets
from server.boards.routes import query_int
from server.clock import local_day
from server.db import get_db
from server.errors import Invalid, NotFound
from server.extensions import doc
from server.http import body, client_ip, me, out
from server.models import ErrorBody, utcnow
from server.boards.schemas import (ApplyQuery, MonthQuery, ProgressQuery, TargetImportResult, TargetIn, TargetList,
                                   TargetProgress, TargetPublic, TargetSheet)
from server.staff.service import by_staff_no
from spectree import Response as Doc

bp = Blueprint("targets", __name__, url_prefix="/api/boards/targets")
admin_bp = Blueprint("admin_targets", __name__, url_prefix="/api/admin/targets")
IMPORT_MAX_BYTES = 5 * 1024 * 1024


@bp.get("")
@login_required
@doc(query=ProgressQuery, resp=Doc(HTTP_200=TargetProgress, HTTP_401=ErrorBody, HTTP_422=ErrorBody), tags=["boards"])
def progress():
    """Targets in the viewer's scope with actual, percentage and change: ?period=month|week&month=&branch_id=."""
    kind = request.args.get("period", "month")
    if "month" in request.args:  # checked whatever the period (a week ignores it)
        targets.month_range(request.args["month"])
    win = targets.window(kind, local_day(utcnow()), request.args.get("month", ""))
    branch_id = query_int("branch_id", 0, 10**9) or None
    items = targets.progress(get_db(), viewer=me(), win=win, branch_id=branch_id)
    return out(TargetProgress, {"period": kind, "month": win.period, "start": win.start, "end": win.end,
                                "previous_start": win.previous_start, "previous_end": win.previous_end,
                                "items": items})


def _admin():
    access.require(access.is_admin(me()))


@admin_bp.get("")
@login_required
@doc(query=MonthQuery, resp=Doc(HTTP_200=TargetList, HTTP_403=ErrorBody, HTTP_422=ErrorBody), tags=["admin"])
def listing():
    """Every target of ?month=YYYY-MM (admins)."""
    _admin()
    period = request.args.get("month", targets.month_of(local_day(utcnow())))
    return out(TargetList, {"period": period, "items": targets.listing(get_db(), period=period)})


@admin_bp.put("")
@login_required
@doc(json=TargetIn, resp=Doc(HTTP_200=TargetPublic, HTTP_403=ErrorBody, HTTP_422=ErrorBody), tags=["admin"])
def put():
    """Set one branch's or employee's month target (admins; audited)."""
    _admin()
    data = body(TargetIn)
    db = get_db()
    if data.scope == "employee":
        subject_id = by_staff_no(db, data.staff_no, "staff_no").id
    elif data.scope == "branch":
        subject_id = data.subject_id or 0
    else:
        raise Invalid(scope="choice_invalid")
    values = data.model_dump(include=set(targets.METRICS))
    if not any(values.values()):
        raise Invalid(bookings="target_value")
    saved = targets.set_target(db, actor=me(), period=data.period, scope=data.scope, subject_id=subject_id,
                               values=values, source=client_ip())
    row = next(r for r in targets.listing(db, period=saved.period) if r["id"] == saved.id)
    return out(TargetPublic, row)


@admin_bp.delete("/<int:target_id>")
@login_required
@doc(resp=Doc("HTTP_204", HTTP_403=ErrorBody, HTTP_404=ErrorBody), tags=["admin"])
def delete(target_id):
    """Remove one target (admins; audited)."""
    _admin()
    if not targets.delete_target(get_db(), actor=me(), target_id=target_id, source=client_ip()):
        raise NotFound("not_found")
    return "", 204


@admin_bp.post("/import")
@login_required
@doc(query=ApplyQuery, form=TargetSheet, max_bytes=IMPORT_MAX_BYTES,
     resp=Doc(HTTP_200=TargetImportResult, HTTP_403=ErrorBody, HTTP_422=ErrorBody), tags=["admin"])
def import_sheet():
    """Upload targets (multipart `file`, CSV or XLSX): a dry run, or ?apply=1 (all or nothing)."""
    _admin()
    if request.args.get("apply", "0") not in ("0", "1"):
        raise Invalid(apply="invalid")
    request.max_content_length = IMPORT_MAX_BYTES
    upload = request.files.get("file")
    if upload is None or not upload.filename.lower().endswith((".csv", ".xlsx")):
        raise Invalid(file="targets_file")
    try:
        rows = roster.read(upload.filename, upload.read())
    except Exception:  # noqa: BLE001 - any unreadable file gets the same answer
        raise Invalid(file="targets_file")
    db = get_db()
    plan = targets.plan_import(db, rows)
    applied = 0
    if request.args.get("apply") == "1" and not plan.errors:
        applied = targets.apply_import(db, actor=me(), result=plan, source=client_ip())
    return out(TargetImportResult, {"errors": plan.errors, "rows": plan.rows, "applied": applied})
