"""Print kit downloads: my poster, a grid's or a branch's kit (PDF or ZIP), a channel code's poster
(PNG or PDF), within one's scope."""
from flask import Blueprint, Response, current_app
from flask_login import login_required

from server import access
from server.db import get_db
from server.errors import ApiError, Conflict, NotFound
from server.extensions import doc
from server.http import client_ip, me
from server.kits import service
from server.models import Employee, ErrorBody
from server.shops import channels
from spectree import Response as Doc

bp = Blueprint("kits", __name__, url_prefix="/api/kits")
MIMETYPES = {"pdf": "application/pdf", "zip": "application/zip", "png": "image/png"}


def _allowed(scope: str, target_id: int) -> bool:
    from server.models import Grid

    db = get_db()
    owner = db.get(Employee, target_id) if scope == "employee" else None
    grid = db.get(Grid, target_id) if scope == "grid" else None
    return access.may_print(me(), scope, target_id, owner=owner, grid_branch=grid.branch_id if grid else None)


@bp.get(f"/<any(employee, grid, branch):scope>/<int:target_id>.<any({', '.join(MIMETYPES)}):fmt>")
@login_required
@doc(resp=Doc(HTTP_200=None, HTTP_401=ErrorBody, HTTP_403=ErrorBody, HTTP_404=ErrorBody),
     media=tuple(MIMETYPES.values()), tags=["kits"])
def download(scope, target_id, fmt):
    """Posters (and grid service boards) for an employee, a grid or a branch, as PDF or ZIP."""
    if not _allowed(scope, target_id):
        raise ApiError("forbidden", 403)
    db, cfg = get_db(), current_app.config
    employees = service.people(db, **{f"{scope}_id": target_id})
    if not employees:
        raise NotFound("not_found")
    data = service.build(db, employees, bank=cfg["BANK_NAME"], hotline=cfg["BANK_HOTLINE"],
                         base_url=cfg["PUBLIC_BASE_URL"], fmt=fmt, dpi=cfg["PRINT_DPI"])
    service.record_printed(db, actor=me(), scope=scope, target_id=target_id, people=len(employees), fmt=fmt,
                           source=client_ip())
    return Response(data, mimetype=MIMETYPES[fmt], headers={
        "Content-Disposition": f'attachment; filename="kit-{scope}-{target_id}.{fmt}"'})


@bp.get("/channel/<code>.<fmt>")
@login_required
@doc(resp=Doc(HTTP_401=ErrorBody, HTTP_403=ErrorBody, HTTP_404=ErrorBody, HTTP_409=ErrorBody), tags=["kits"])
def channel_poster(code, fmt):
    """A channel code's A4 poster, naming its channel, as PNG or PDF: its owner's, and of those
    who may manage the owner; a retired code has none (409)."""
    if fmt not in ("png", "pdf"):
        raise NotFound("not_found")
    db, cfg = get_db(), current_app.config
    link = channels.find(db, code)
    access.require(access.may_manage_codes(me(), db.get(Employee, link.employee_id)))
    if link.retired_at is not None:
        raise Conflict("channel_retired")
    data = service.one_poster(db, link, bank=cfg["BANK_NAME"], hotline=cfg["BANK_HOTLINE"],
                              base_url=cfg["PUBLIC_BASE_URL"], fmt=fmt, dpi=cfg["PRINT_DPI"])
    return Response(data, mimetype=MIMETYPES[fmt], headers={
        "Content-Disposition": f'attachment; filename="poster-{link.code}.{fmt}"'})
