"""Leaderboard and funnel API: rankings everyone may see, details by scope, ETag/304."""
import hashlib
import re
from datetime import date, timedelta

from flask import Blueprint, Response, current_app, request
from flask_login import current_user, login_required
from sqlmodel import select

from server import access
from server.boards import flagged as flags_review, service, trend as trends
from server.boards.daily import BRANCH_COLUMNS, EMPLOYEE_COLUMNS
from server.clock import local_day, period_range
from server.db import get_db
from server.errors import Invalid, NotFound
from server.extensions import doc
from server.http import body, client_ip, conditional, json_bytes, me, out
from server.reports import export
from server.models import (LEVELS, TRACKS, Board, BoardRow, Branch, Employee, ErrorBody, FlaggedList, FlaggedRow,
                           FlagReview, Funnel, Trend, UnverifiedList, utcnow)
from server.boards.schemas import BoardQuery, PeriodQuery, TrendQuery
from pydantic import TypeAdapter
from spectree import Response as Doc

bp = Blueprint("boards", __name__, url_prefix="/api/boards")
PERIODS = ("today", "yesterday", "week", "month", "range")
RANGE_MAX_DAYS = 366
TOP_MAX = 100
ROWS = TypeAdapter(list[BoardRow])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOARDS = ("employees", *service.GROUPS)


def _period(args=None) -> tuple[str, date, date]:
    """?period=today|yesterday|week|month, or range with start and end (YYYY-MM-DD; a start or
    end sent with another period must be a date too, though it is not used)."""
    args = request.args if args is None else args
    period = args.get("period", "today")
    if period not in PERIODS:
        raise Invalid(period="period_invalid")
    try:
        start, end = (date.fromisoformat(args[name]) if name in args else None
                      for name in ("start", "end"))
    except ValueError:
        raise Invalid(start="range_invalid")
    if period != "range":
        return (period, *period_range(period, local_day(utcnow())))
    if not start or not end or not start <= end <= start + timedelta(days=RANGE_MAX_DAYS - 1):
        raise Invalid(start="range_invalid")
    return period, start, end


def query_int(name: str, default: int, high: int, args=None) -> int:
    """The query argument `name`, a whole number from 0 to `high` (422 naming it otherwise)."""
    raw = (request.args if args is None else args).get(name)
    if raw is None:
        return default
    if not re.fullmatch("[0-9]{1,10}", raw) or int(raw) > high:
        raise Invalid(**{name: "invalid"})
    return int(raw)


def _cohort(args=None) -> service.Cohort:
    args = request.args if args is None else args
    level, track = args.get("level", ""), args.get("track", "")
    if "level" in args and level not in LEVELS:
        raise Invalid(level="invalid")
    if "track" in args and track not in TRACKS:
        raise Invalid(track="invalid")
    if args.get("per_capita", "0") not in ("0", "1"):
        raise Invalid(per_capita="invalid")
    return service.Cohort(level=level, track=track,
                          branch_id=query_int("branch_id", 0, 10**9, args) or None)


def weights() -> service.Weights:
    return service.Weights.parse(current_app.config["QUALITY_WEIGHTS"])


@bp.get(f"/<any({', '.join(BOARDS)}):by>")
@login_required
@doc(query=BoardQuery, resp=Doc("HTTP_304", HTTP_200=Board, HTTP_401=ErrorBody, HTTP_422=ErrorBody),
     media=("text/csv", XLSX), tags=["boards"])
def board(by):
    """Ranking by employees, branches, grids or teams: ?period=&level=&track=&branch_id=&top=&bottom=&per_capita=1."""
    fmt = request.args.get("format")
    if fmt is not None and fmt not in ("csv", "xlsx"):
        raise Invalid(format="format_invalid")
    if fmt:
        period, start, end, rows, top, bottom = _ranking(by)
        return _download(by, start, end, rows[:top] + _tail(rows, bottom), fmt)
    # Everyone sees the same ranking: it is built once per worker until the next change, and
    # only the viewer's own row ("mine") is added per request.
    return ranking_response(by, request.args, current_user.id)


def ranking_response(by: str, args, viewer_id: int | None) -> Response:
    """A ranking for these query arguments, from this worker's cache, with the viewer's own row
    as "mine" (null without a viewer: the TV wall)."""
    key = (by, local_day(utcnow()), tuple(sorted(args.items(multi=True))))
    head, digest, mine = current_app.extensions["caches"].boards.fetch(key, lambda: _board_json(by, *_ranking(by, args)))
    own = mine.get(viewer_id, b"null")  # only the id: no need to attach the employee to a session
    response = Response(head + own + b"}", mimetype="application/json")
    response.set_etag(hashlib.sha1(digest + own).hexdigest())  # the body's, without hashing all of it
    return conditional(response)


def _ranking(by: str, args=None) -> tuple[str, date, date, list[dict], int, int]:
    period, start, end = _period(args)
    cohort = _cohort(args)
    top, bottom = query_int("top", TOP_MAX, TOP_MAX, args), query_int("bottom", 0, TOP_MAX, args)
    db = get_db()
    if by == "employees":
        rows = service.by_employee(db, start=start, end=end, weights=weights(), cohort=cohort)
    else:
        rows = service.by_group(db, by=by, start=start, end=end, weights=weights(), cohort=cohort,
                                per_capita=(request.args if args is None else args).get("per_capita") == "1")
    return period, start, end, rows, top, bottom


def _tail(rows: list[dict], bottom: int) -> list[dict]:
    return rows[-bottom:][::-1] if bottom else []


def _board_json(by, period, start, end, rows, top, bottom) -> tuple[bytes, bytes, dict[int, bytes]]:
    """The board as JSON without its closing brace and "mine", its digest, and each employee's
    own row."""
    w = weights()
    board = Board.model_validate({"period": period, "start": start, "end": end, "by": by,
                                  "formula": w.formula(), "formula_en": w.formula("en"),
                                  "tie_break": service.TIE_BREAK["zh"], "weights": w.values, "rows": rows[:top],
                                  "bottom": _tail(rows, bottom)}).model_dump(mode="json", exclude={"mine"},
                                                                             exclude_none=True)
    # exclude_none: an employee row has no "members" or "score_per_capita" (groups do); every
    # phone polling the board downloads it, so the nulls went out 60 times a response.
    mine = {}
    if by == "employees":
        mine = {r["id"]: json_bytes(r)
                for r in ROWS.dump_python(ROWS.validate_python(rows), mode="json", exclude_none=True)}
    head = json_bytes(board)[:-1] + b',"mine":'
    return head, hashlib.sha1(head).digest(), mine


def _download(by: str, start: date, end: date, rows: list[dict], fmt: str) -> Response:
    """The board as a spreadsheet (formulas neutralised: a name can never run in Excel)."""
    columns = EMPLOYEE_COLUMNS if by == "employees" else BRANCH_COLUMNS
    data = export.csv_bytes(columns, rows) if fmt == "csv" else export.xlsx_bytes(columns, rows)
    mimetype = "text/csv" if fmt == "csv" else XLSX
    return Response(data, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="board-{by}-{start}-{end}.{fmt}"'})


def _funnel_scope() -> list[int] | None:
    """Whose funnel numbers the viewer may see: their own, their grid's, branch's, or all."""
    return access.people_in_scope(get_db(), me())


@bp.get(f"/funnel/<any({', '.join(service.FUNNEL_KEYS)}):by>")
@login_required
@doc(query=PeriodQuery, resp=Doc("HTTP_304", HTTP_200=Funnel, HTTP_401=ErrorBody, HTTP_422=ErrorBody), tags=["boards"])
def funnel(by):
    """Visits → bookings → arrived → completed by employee, branch, product or channel (scoped)."""
    period, start, end = _period()
    rows = service.funnel(get_db(), by=by, start=start, end=end, employee_ids=_funnel_scope())
    return conditional(out(Funnel, {"period": period, "start": start, "end": end, "by": by, "rows": rows}))


@bp.get("/trend")
@login_required
@doc(query=TrendQuery, resp=Doc("HTTP_304", HTTP_200=Trend, HTTP_403=ErrorBody, HTTP_404=ErrorBody, HTTP_422=ErrorBody),
     tags=["boards"])
def trend():
    """Daily counts and score over the period, and the change against the period before:
    ?period=week|month|range&by=employee|branch|all&id= (scoped like the funnels)."""
    period, start, end = _period()
    by = request.args.get("by", "employee")
    if by not in trends.SCOPES:
        raise Invalid(by="invalid")
    viewer, scope = me(), _funnel_scope()
    who = query_int("id", 0, 10**9) or None
    branch_id = None
    if by == "employee":
        who = who or viewer.id
        if get_db().get(Employee, who) is None:
            raise NotFound("not_found")
        access.require(scope is None or who in scope)
        scope = [who]
    elif by == "branch":
        who = branch_id = who or viewer.branch_id
        if get_db().get(Branch, who) is None:
            raise NotFound("not_found")
        access.require(scope is None or (access.is_branch_head(viewer) and viewer.branch_id == who))
        scope = None  # what was credited at the branch, whoever did it (a branch head sees the admin's numbers)
    else:
        who = None
    w = weights()
    data = trends.trend(get_db(), period=period, start=start, end=end, weights=w, employee_ids=scope,
                        branch_id=branch_id)
    return conditional(out(Trend, {"period": period, "start": start, "end": end, "by": by, "id": who,
                                   "formula": w.formula(), "weights": w.values, **data}))


@bp.get("/flagged")
@login_required
@doc(query=PeriodQuery, resp=Doc(HTTP_200=FlaggedList, HTTP_403=ErrorBody), tags=["boards"])
def flagged():
    """Bookings left out of rankings, with the reason and review (branch heads: their branch; admins: all)."""
    _, start, end = _period()
    return out(FlaggedList, {"items": flags_review.flagged(get_db(), viewer=me(), start=start, end=end)})


@bp.post("/flagged/<reference>/review")
@login_required
@doc(json=FlagReview, resp=Doc(HTTP_200=FlaggedRow, HTTP_403=ErrorBody, HTTP_404=ErrorBody, HTTP_409=ErrorBody,
                               HTTP_422=ErrorBody), tags=["boards"])
def review_flag(reference):
    """Confirm a flag (stays out of rankings) or clear it (counts from today), audited."""
    data = body(FlagReview)
    db = get_db()
    booking = flags_review.review(db, viewer=me(), reference=reference, action=data.action, source=client_ip())
    day = local_day(booking.created_at)
    row = next(r for r in flags_review.flagged(db, viewer=me(), start=day, end=day) if r["reference"] == booking.reference)
    return out(FlaggedRow, row)


@bp.get("/unverified")
@login_required
@doc(query=PeriodQuery, resp=Doc(HTTP_200=UnverifiedList, HTTP_403=ErrorBody), tags=["boards"])
def unverified():
    """Arrivals and completions without the customer's evidence: they score nothing (branch heads: their branch)."""
    _, start, end = _period()
    return out(UnverifiedList, {"items": flags_review.unverified(get_db(), viewer=me(), start=start, end=end)})
