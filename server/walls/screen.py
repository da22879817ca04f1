"""What a wall link reaches (/api/wall): the wall's own data, for the link's scope, and nothing
else. The token comes in the X-Wall-Token header; the live stream, which cannot send headers,
takes an expiring ticket that /api/wall hands out instead (so no URL ever holds the token). The
token is no session: every other route still asks for a login. A branch's link sees that
branch's people, funnel, trend and targets, never another branch's (the branch PK is 403)."""
from urllib.parse import urlencode

from flask import Blueprint, current_app, request
from sqlmodel import Session
from spectree import Response as Doc
from werkzeug.datastructures import MultiDict

from server import access
from server.boards import service as boards, targets as goals, trend as trends
from server.boards.routes import _period, ranking_response, weights
from server.boards.schemas import TargetProgress
from server.clock import local_day
from server.db import close_db, get_db
from server.errors import Invalid, NotFound
from server.extensions import doc
from server.http import conditional, out
from server.live.routes import event_stream
from server.models import Board, Branch, ErrorBody, Funnel, Trend, WallLink, utcnow
from server.walls import service
from server.walls.schemas import WallGone, WallInfo

bp = Blueprint("wall", __name__, url_prefix="/api/wall")
HEADER = "X-Wall-Token"
FUNNELS = ("branch", "employee", "product")


def _link() -> WallLink:
    return service.resolve(get_db(), request.headers.get(HEADER, ""))


def _branch_args(link: WallLink) -> MultiDict:
    """The query, with a branch link's branch put in (403 if it names another branch)."""
    args = MultiDict(request.args)
    if link.branch_id is not None:
        asked = args.get("branch_id", "")
        access.require(asked in ("", str(link.branch_id)))
        args["branch_id"] = str(link.branch_id)
    return args


@bp.get("")
@doc(resp=Doc(HTTP_200=WallInfo, HTTP_404=ErrorBody, HTTP_410=WallGone), tags=["wall"])
def info():
    """What this link shows: the whole bank or one branch (404 unknown, 410 withdrawn), and the
    URL of its live stream (with a ticket that expires: ask again for a new one)."""
    link = _link()
    branch = get_db().get(Branch, link.branch_id) if link.branch_id else None
    ticket = service.stream_ticket(current_app.config["SECRET_KEY"], link)
    return out(WallInfo, {"label": link.label, "scope": "branch" if branch else "bank", "branch_id": link.branch_id,
                          "branch": branch.name if branch else "", "bank": current_app.config["BANK_NAME"],
                          "stream": f"{bp.url_prefix}/stream?{urlencode({'ticket': ticket})}"})


@bp.get("/employees")
@doc(resp=Doc(HTTP_200=Board, HTTP_403=ErrorBody, HTTP_404=ErrorBody, HTTP_410=WallGone, HTTP_422=ErrorBody),
     tags=["wall"])
def employees():
    """The score ranking as /api/boards/employees has it (a branch link: that branch's people)."""
    link = _link()
    return ranking_response("employees", _branch_args(link), None)


@bp.get("/branches")
@doc(resp=Doc(HTTP_200=Board, HTTP_403=ErrorBody, HTTP_404=ErrorBody, HTTP_410=WallGone, HTTP_422=ErrorBody),
     tags=["wall"])
def branches():
    """Branch PK as /api/boards/branches has it: bank-wide links only (403 for a branch's)."""
    link = _link()
    access.require(link.branch_id is None)
    return ranking_response("branches", MultiDict(request.args), None)


@bp.get("/funnel/<by>")
@doc(resp=Doc(HTTP_200=Funnel, HTTP_404=ErrorBody, HTTP_410=WallGone, HTTP_422=ErrorBody), tags=["wall"])
def funnel(by):
    """Visits → bookings → arrived → completed by branch, employee or product (a branch link:
    the results credited at that branch)."""
    link = _link()
    if by not in FUNNELS:
        raise NotFound("not_found")
    period, start, end = _period()
    rows = boards.funnel(get_db(), by=by, start=start, end=end, branch_id=link.branch_id)
    return conditional(out(Funnel, {"period": period, "start": start, "end": end, "by": by, "rows": rows}))


@bp.get("/trend")
@doc(resp=Doc(HTTP_200=Trend, HTTP_404=ErrorBody, HTTP_410=WallGone, HTTP_422=ErrorBody), tags=["wall"])
def trend():
    """Daily counts and score over ?period=, against the period before: the bank's or the branch's."""
    link = _link()
    period, start, end = _period()
    w = weights()
    data = trends.trend(get_db(), period=period, start=start, end=end, weights=w, employee_ids=None,
                        branch_id=link.branch_id)
    return conditional(out(Trend, {"period": period, "start": start, "end": end,
                                   "by": "branch" if link.branch_id else "all", "id": link.branch_id,
                                   "formula": w.formula(), "weights": w.values, **data}))


@bp.get("/targets")
@doc(resp=Doc(HTTP_200=TargetProgress, HTTP_403=ErrorBody, HTTP_404=ErrorBody, HTTP_410=WallGone,
              HTTP_422=ErrorBody), tags=["wall"])
def targets():
    """Progress to target, ?period=month|week: the bank's (or one ?branch_id=) or the link's branch."""
    link = _link()
    args = _branch_args(link)
    kind = args.get("period", "month")
    win = goals.window(kind, local_day(utcnow()), args.get("month", ""))
    try:
        branch_id = int(args.get("branch_id") or 0) or None
    except ValueError:
        raise Invalid(branch_id="invalid")
    items = goals.progress(get_db(), viewer=None, win=win, branch_id=branch_id)
    for item in items:
        item["staff_no"] = ""  # the wall names people; it has no use for their staff numbers
    return out(TargetProgress, {"period": kind, "month": win.period, "start": win.start, "end": win.end,
                                "previous_start": win.previous_start, "previous_end": win.previous_end,
                                "items": items})


@bp.get("/stream")
def stream():
    # Not wrapped by spectree's @doc (it would buffer the stream), like /api/stream.
    """Live "something changed" pings for the wall, ?ticket= from /api/wall: only each change's
    type (a branch link: its branch's changes and the bank's own); ends when the link is withdrawn."""
    link = service.by_ticket(get_db(), current_app.config["SECRET_KEY"], request.args.get("ticket", ""))
    sub = current_app.extensions["bus"].subscribe()
    engine, link_id, branch_id = current_app.extensions["engine"], link.id, link.branch_id
    close_db()

    def shape(message: dict) -> dict | None:
        if branch_id is not None and "employee_id" in message and message.get("branch_id") != branch_id:
            return None
        return {"type": message.get("type", "change")}

    def still_open() -> bool:
        with Session(engine) as db:
            return service.still_active(db, link_id)

    return event_stream(sub, shape, still_open)
