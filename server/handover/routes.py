"""Handover API: head office (or a branch head, for the people they manage) moves an employee's book."""
from flask import Blueprint, current_app, request
from flask_login import login_required

from server.db import get_db
from server import access
from server.extensions import doc
from server.handover import service
from server.http import body, client_ip, me, out
from server.models import ErrorBody, HandoverIn, HandoverPublic
from server.staff.service import by_staff_no
from spectree import Response as Doc

bp = Blueprint("handover", __name__, url_prefix="/api/handover")


@bp.post("")
@login_required
@doc(json=HandoverIn, resp=Doc(HTTP_200=HandoverPublic, HTTP_403=ErrorBody, HTTP_422=ErrorBody),
     tags=["admin"])
def hand_over():
    """Move customers, open bookings and shop codes to a successor; printed codes keep working."""
    data = body(HandoverIn)
    db = get_db()
    source = by_staff_no(db, data.from_staff_no, "from_staff_no")
    target = by_staff_no(db, data.to_staff_no, "to_staff_no")
    viewer = me()
    access.require(access.may_hand_over(viewer, source, target))
    record, rescheduled = service.hand_over(
        db, source=source, target=target, actor=viewer, reason=data.reason, leaving=data.leaving,
        max_moves=current_app.config["HANDOVER_MAX_MOVES"], ip=client_ip())
    return out(HandoverPublic, {"id": record.id, "from_employee": source.name, "to_employee": target.name,
                                "customers": record.customers, "bookings": record.bookings,
                                "links": record.links, "skipped": record.skipped,
                                "rescheduled": rescheduled})
