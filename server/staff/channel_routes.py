"""Channel codes (渠道码) in the staff app: list mine (or my people's) with their numbers, make,
rename, retire. Their posters come from the print kits (/api/kits/channel/<code>.png|pdf)."""
from flask import Blueprint, current_app, request
from flask_login import login_required

from server.clock import local_day, period_range
from server.db import get_db
from server.errors import Invalid
from server.extensions import doc
from server.http import body, client_ip, me, out
from server.models import ErrorBody, Grid, utcnow
from server.shops import channels
from server.shops.schemas import ChannelCodeIn, ChannelCodeList, ChannelCodePublic, ChannelCodeRename
from spectree import Response as Doc

bp = Blueprint("channel_codes", __name__, url_prefix="/api/staff/channel-codes")
PERIODS = ("all", "today", "yesterday", "week", "month")


def _where(code: str) -> dict:
    """A code's shop link and the addresses of its poster."""
    return {"url": f"{current_app.config['PUBLIC_BASE_URL']}/s/{code}",
            "poster_png": f"/api/kits/channel/{code}.png", "poster_pdf": f"/api/kits/channel/{code}.pdf"}


def _item(link, **extra) -> dict:
    return {"code": link.code, "channel": link.channel, "created_at": link.created_at,
            "retired_at": link.retired_at, **_where(link.code), **extra}


@bp.get("")
@login_required
@doc(resp=Doc(HTTP_200=ChannelCodeList, HTTP_401=ErrorBody, HTTP_422=ErrorBody), tags=["staff"])
def listing():
    """My channel codes (?scope=mine), or those of everyone I oversee (?scope=team), in use first,
    each with its visits, bookings, arrivals and completions (?period=all|today|yesterday|week|month)."""
    scope, period = request.args.get("scope", "mine"), request.args.get("period", "all")
    if scope not in channels.SCOPES:
        raise Invalid(scope="choice_invalid")
    if period not in PERIODS:
        raise Invalid(period="period_invalid")
    start, end = period_range(period, local_day(utcnow())) if period != "all" else (None, None)
    rows = channels.listing(get_db(), viewer=me(), scope=scope, start=start, end=end)
    items = [{**row, **_where(row["code"])} for row in rows]
    return out(ChannelCodeList, {"scope": scope, "period": period, "start": start, "end": end, "items": items})


@bp.post("")
@login_required
@doc(json=ChannelCodeIn, resp=Doc(HTTP_201=ChannelCodePublic, HTTP_403=ErrorBody, HTTP_422=ErrorBody),
     tags=["staff"])
def create():
    """A new QR code for one poster, village board or event; grid=true routes to my grid's staff."""
    db, data, viewer = get_db(), body(ChannelCodeIn), me()
    link = channels.create(db, owner=viewer, channel=data.channel, grid=data.grid, source=client_ip())
    grid = db.get(Grid, link.grid_id).name if link.grid_id else None
    return out(ChannelCodePublic, _item(link, grid=grid, owner=viewer.name, owner_staff_no=viewer.staff_no), 201)


@bp.patch("/<code>")
@login_required
@doc(json=ChannelCodeRename, resp=Doc(HTTP_200=ChannelCodePublic, HTTP_403=ErrorBody, HTTP_404=ErrorBody,
                                      HTTP_409=ErrorBody, HTTP_422=ErrorBody), tags=["staff"])
def rename(code):
    """Rename a code in use: its results, past ones too, are shown under the new name."""
    db, data = get_db(), body(ChannelCodeRename)
    link = channels.rename(db, viewer=me(), link=channels.find(db, code), channel=data.channel, source=client_ip())
    return out(ChannelCodePublic, _item(link))


@bp.post("/<code>/retire")
@login_required
@doc(resp=Doc(HTTP_200=ChannelCodePublic, HTTP_403=ErrorBody, HTTP_404=ErrorBody), tags=["staff"])
def retire(code):
    """Take a code out of use: its QR code and link lead to a page offering the owner's own shop,
    and count no new visit or booking; what it counted stays, under its name."""
    db = get_db()
    link = channels.retire(db, viewer=me(), link=channels.find(db, code), source=client_ip())
    return out(ChannelCodePublic, _item(link))
