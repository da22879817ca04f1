"""Leaderboard API: today / yesterday / this week / this month, by employee or by branch."""
from flask import Blueprint, request
from flask_login import login_required

from server.boards import service
from server.clock import local_day, period_range
from server.db import get_db
from server.errors import Invalid, NotFound
from server.extensions import doc
from server.http import out
from server.models import Board, ErrorBody, utcnow
from spectree import Response as Doc

bp = Blueprint("boards", __name__, url_prefix="/api/boards")
PERIODS = ("today", "yesterday", "week", "month")


@bp.get("/<by>")
@login_required
@doc(resp=Doc(HTTP_200=Board, HTTP_401=ErrorBody, HTTP_422=ErrorBody), tags=["boards"])
def board(by):
    """Ranking by `employees` or `branches` for ?period=today|yesterday|week|month."""
    period = request.args.get("period", "today")
    if period not in PERIODS:
        raise Invalid(period="period_invalid")
    start, end = period_range(period, local_day(utcnow()))
    db = get_db()
    if by == "employees":
        rows = service.by_employee(db, start=start, end=end)
    elif by == "branches":
        rows = service.by_branch(db, start=start, end=end)
    else:
        raise NotFound("not_found")
    return out(Board, {"period": period, "start": start, "end": end, "by": by, "rows": rows})
