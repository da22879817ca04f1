"""GET /api/staff/bookings/export.csv|xlsx?scope=: the bookings list as a streamed download."""
from typing import Literal

from flask import Blueprint, Response, current_app, request
from flask_login import login_required

from server.audit import service as audit
from server.clock import local_day
from server.db import get_db
from server.errors import Invalid
from server.extensions import doc
from server.http import client_ip, me
from server.models import ErrorBody, utcnow
from server.staff import bookings_export as export
from server.access import SCOPES, booking_clause
from pydantic import BaseModel
from spectree import Response as Doc

bp = Blueprint("bookings_export", __name__, url_prefix="/api/staff")
TYPES = {"csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class ExportQuery(BaseModel):
    scope: Literal[SCOPES] = "mine"


@bp.get(f"/bookings/export.<any({', '.join(TYPES)}):fmt>")
@login_required
@doc(query=ExportQuery, resp=Doc(HTTP_200=None, HTTP_403=ErrorBody, HTTP_422=ErrorBody), media=tuple(TYPES.values()),
     tags=["staff"])
def export_bookings(fmt):
    """Every booking in ?scope=mine|grid|branch|all (as the lists), streamed; X-Total-Rows first."""
    scope = request.args.get("scope", "mine")
    if scope not in SCOPES:
        raise Invalid(scope="choice_invalid")
    viewer, db = me(), get_db()
    total = export.count(db, viewer=viewer, scope=scope)  # 403 outside the viewer's scope
    audit.record(db, action="bookings_exported", actor=viewer, target=f"scope:{scope}",
                 detail=f"{fmt} {total} rows", source=client_ip(), commit=True)
    cells = export.rows(current_app.extensions["engine"], viewer_id=viewer.id, where=booking_clause(viewer, scope))
    body = export.csv_stream(cells) if fmt == "csv" else export.xlsx_stream_of(cells)
    name = f"bookings-{scope}-{local_day(utcnow())}.{fmt}"
    return Response(body, mimetype=TYPES[fmt], headers={
        "Content-Disposition": f'attachment; filename="{name}"', "X-Total-Rows": str(total),
        "Access-Control-Expose-Headers": "X-Total-Rows", "Cache-Control": "no-store"})
