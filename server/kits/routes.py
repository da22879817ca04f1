"""Print kit downloads: my poster, a grid's or a branch's kit (PDF or ZIP), within one's scope."""
from flask import Blueprint, Response, current_app
from flask_login import login_required

from server.db import get_db
from server.errors import ApiError, NotFound
from server.extensions import doc
from server.http import me
from server.kits import service
from server.models import ErrorBody
from spectree import Response as Doc

bp = Blueprint("kits", __name__, url_prefix="/api/kits")
MIMETYPES = {"pdf": "application/pdf", "zip": "application/zip"}


def _allowed(scope: str, target_id: int) -> bool:
    viewer = me()
    if viewer.role == "admin":
        return True
    if scope == "employee":
        return target_id == viewer.id
    if scope == "grid":
        return ((viewer.role == "grid_leader" and viewer.grid_id == target_id)
                or (viewer.role == "branch_manager" and _grid_branch(target_id) == viewer.branch_id))
    return scope == "branch" and viewer.role == "branch_manager" and viewer.branch_id == target_id


def _grid_branch(grid_id: int) -> int | None:
    from server.models import Grid

    grid = get_db().get(Grid, grid_id)
    return grid.branch_id if grid else None


@bp.get("/<scope>/<int:target_id>.<fmt>")
@login_required
@doc(resp=Doc(HTTP_401=ErrorBody, HTTP_403=ErrorBody, HTTP_404=ErrorBody), tags=["kits"])
def download(scope, target_id, fmt):
    """Posters (and grid service boards) for an employee, a grid or a branch, as PDF or ZIP."""
    if scope not in ("employee", "grid", "branch") or fmt not in MIMETYPES:
        raise NotFound("not_found")
    if not _allowed(scope, target_id):
        raise ApiError("forbidden", 403)
    db, cfg = get_db(), current_app.config
    employees = service.people(db, **{f"{scope}_id": target_id})
    if not employees:
        raise NotFound("not_found")
    data = service.build(db, employees, bank=cfg["BANK_NAME"], hotline=cfg["BANK_HOTLINE"],
                         base_url=cfg["PUBLIC_BASE_URL"], fmt=fmt, dpi=cfg["PRINT_DPI"])
    return Response(data, mimetype=MIMETYPES[fmt], headers={
        "Content-Disposition": f'attachment; filename="kit-{scope}-{target_id}.{fmt}"'})
