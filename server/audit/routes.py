"""Audit log API: head office reads every entry, a branch head their branch's; CSV export
(formulas neutralised). Descriptions in the reader's language, times in Asia/Shanghai."""
from datetime import date

from flask import Blueprint, Response, request
from flask_login import login_required

from server import access, listing
from server.audit import service, words
from server.db import get_db
from server.errors import Invalid
from server.extensions import doc
from server.http import me, out
from server.i18n import lang
from server.inputs import int_arg
from server.models import AuditList, ErrorBody
from server.audit.schemas import AuditQuery
from server.reports import export
from spectree import Response as Doc

bp = Blueprint("audit", __name__, url_prefix="/api/audit")
COLUMNS = {"zh": [("at", "时间（北京时间）"), ("action_label", "操作"), ("actor", "操作人"), ("target", "对象"),
                  ("detail", "说明"), ("source", "来源")],
           "en": [("at", "Time (Asia/Shanghai)"), ("action_label", "Action"), ("actor", "By"),
                  ("target", "Target"), ("detail", "Detail"), ("source", "Source")]}


@bp.get("")
@login_required
@doc(query=AuditQuery, resp=Doc(HTTP_200=AuditList, HTTP_403=ErrorBody, HTTP_422=ErrorBody), media=("text/csv",),
     tags=["admin"])
def entries():
    """Audit entries, newest first, a page at a time: ?action=&actor_id=&start=&end=&q=&limit=
    &cursor=&format=csv (head office: all; branch heads: their branch's). `q` is a booking
    reference (or its start) or the last 4 digits of a customer's number: the entries about
    those bookings and customers; `next_cursor` in the answer is the next page's `cursor`."""
    branch_id = access.audit_scope(me())
    args = request.args
    if args.get("action") and args["action"] not in service.ACTIONS:
        raise Invalid(action="invalid")
    try:
        start = date.fromisoformat(args["start"]) if args.get("start") else None
        end = date.fromisoformat(args["end"]) if args.get("end") else None
    except ValueError:
        raise Invalid(start="range_invalid")
    actor_id, limit = int_arg("actor_id", None), int_arg("limit", 200, low=1, high=1000)
    search = listing.parse_search(args.get("q"))
    db = get_db()
    found, cursor = service.entries(db, action=args.get("action", ""), actor_id=actor_id, start=start, end=end,
                                    search=search, cursor=args.get("cursor") or None, limit=limit,
                                    branch_id=branch_id)
    rows = words.rows(db, found, lang())
    if args.get("format") == "csv":
        for row in rows:
            row["at"] = row["at"].isoformat(sep=" ")  # 2026-12-06 21:03:05+08:00
        return Response(export.csv_bytes(COLUMNS[lang()], rows), mimetype="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="audit.csv"'})
    return out(AuditList, {"items": rows, "next_cursor": cursor})
