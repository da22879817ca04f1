"""Downloads of what the boards show: the day/week/month report as PNG or Markdown, and the
level review as XLSX. Read, check scope, call the service, send the file."""
from datetime import date

from flask import Blueprint, Response, current_app, request
from flask_login import login_required

from server import access
from server.audit import service as audit
from server.boards import periodic, review
from server.boards.routes import XLSX, query_int, weights
from server.boards.schemas import ReportQuery, ReviewQuery
from server.boards.service import Weights
from server.clock import local_day
from server.db import get_db
from server.errors import Invalid
from server.extensions import doc
from server.http import client_ip, me
from server.models import ErrorBody, utcnow
from server.reports import markdown, png
from spectree import Response as Doc

bp = Blueprint("reports", __name__, url_prefix="/api/boards")
TYPES = {"png": "image/png", "md": "text/markdown; charset=utf-8"}


def _branch_scope() -> int | None:
    """The branch a download covers: any for admins, else the viewer's own (or the bank's
    ranking, which every staff member sees on the boards anyway)."""
    wanted = query_int("branch_id", 0, 10**9) or None
    viewer = me()
    access.require(not wanted or access.is_admin(viewer) or wanted == viewer.branch_id)
    return wanted


def _day() -> date:
    try:
        return date.fromisoformat(request.args["day"]) if "day" in request.args else local_day(utcnow())
    except ValueError:
        raise Invalid(day="invalid")


@bp.get(f"/reports/<any({', '.join(periodic.PERIODS)}):period>.<any({', '.join(TYPES)}):fmt>")
@login_required
@doc(query=ReportQuery, resp=Doc(HTTP_200=None, HTTP_403=ErrorBody, HTTP_404=ErrorBody, HTTP_422=ErrorBody),
     media=("image/png", "text/markdown"), tags=["boards"])
def report(period, fmt):
    """日/周/月通报 as a PNG poster or Markdown: /reports/day|week|month.png|md?day=&branch_id=."""
    branch_id = _branch_scope()
    db = get_db()
    built = periodic.build(db, period=period, day=_day(), weights=weights(), bank=current_app.config["BANK_NAME"],
                           branch_id=branch_id, branch_name=review.branch_name(db, branch_id) if branch_id else "")
    data = png.render(built) if fmt == "png" else markdown.render(built).encode()
    name = f"report-{period}-{built.day}{f'-branch{branch_id}' if branch_id else ''}.{fmt}"
    return Response(data, mimetype=TYPES[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/level-review.xlsx")
@login_required
@doc(query=ReviewQuery, resp=Doc(HTTP_200=None, HTTP_403=ErrorBody, HTTP_422=ErrorBody), media=(XLSX,),
     tags=["boards"])
def level_review():
    """职级考评: every employee's indicators for ?period=2026-Q4|2026 (admins: all or ?branch_id;
    branch heads: their branch; audited)."""
    viewer = me()
    access.require(access.is_admin(viewer) or access.is_branch_head(viewer))
    when = review.period(request.args.get("period", ""))
    branch_id = _branch_scope() if access.is_admin(viewer) else viewer.branch_id
    if access.is_branch_head(viewer):
        _branch_scope()  # another branch's id is a 403, not silently this one
    db = get_db()
    config = current_app.config
    w = Weights.parse(config["LEVEL_REVIEW_WEIGHTS"] or config["QUALITY_WEIGHTS"])
    people = review.rows(db, when=when, weights=w, branch_id=branch_id)
    scope = review.branch_name(db, branch_id)
    data = review.xlsx(when=when, weights=w, people=people, scope=scope, bank=config["BANK_NAME"])
    audit.record(db, action="level_review_exported", actor=viewer, target=f"branch:{branch_id or 'all'}",
                 detail=f"{when.label} {len(people)} employees", source=client_ip(), commit=True)
    name = f"level-review-{when.label}{f'-branch{branch_id}' if branch_id else ''}.xlsx"
    return Response(data, mimetype=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})
