"""Public shop API: profile, open slots, visits, QR codes."""
from flask import Blueprint, Response, current_app, request

import qr
from server.bookings.flags import device_hash
from server.bookings.service import slot_days
from server.db import get_db
from server.errors import NotFound
from server.extensions import doc, limit
from server.clock import local_day
from server.http import body, conditional, json_bytes, out
from server.models import (DeviceHeaders, Employee, ErrorBody, ShopNotFound, ShopPublic, SlotsPublic, VisitCreate,
                           utcnow)
from server.shops import service
from server.shops.deadend import dead_end
from spectree import Response as Doc

bp = Blueprint("shops", __name__)


def profile_key(code: str) -> tuple:
    return code.upper(), local_day(utcnow())


def _served_from_cache() -> bool:
    """A shop profile this worker already holds: answering costs less than counting the
    request against the limit would (a Redis round trip), and reveals nothing new; the limit
    still guards every request that reaches the database, unknown codes (guessing) included."""
    return (request.endpoint == "shops.profile" and request.view_args is not None
            and current_app.extensions["caches"].shops.get(profile_key(request.view_args["code"])) is not None)


limit("PUBLIC_LIMIT_IP", exempt_when=_served_from_cache)(bp)  # every public endpoint, per IP


def shop_url(code: str) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}/s/{code}"


def profile_payload(code: str) -> bytes:
    """The shop's profile as JSON bytes, built once per worker until staff, products or codes
    change (the shop page carries the same bytes)."""
    key = profile_key(code)

    def build() -> bytes:
        db, cfg = get_db(), current_app.config
        data = service.profile(db, service.get_link(db, code), key[1])
        data.update(url=shop_url(data["code"]), bank=cfg["BANK_NAME"], hotline=cfg["BANK_HOTLINE"],
                    consent_version=cfg["CONSENT_VERSION"])
        return json_bytes(ShopPublic.model_validate(data).model_dump(mode="json"))

    return current_app.extensions["caches"].shops.fetch(key, build)


@bp.get("/api/shops/<code>")
@doc(resp=Doc("HTTP_304", HTTP_200=ShopPublic, HTTP_404=ShopNotFound), tags=["shop"])
def profile(code):
    """A shop: the manager who serves it and the products they offer. A code that leads nowhere
    (unknown, mistyped, its owner gone) answers 404 with the hotline, the branches, and the
    successor's shop or the code probably meant."""
    try:
        payload = profile_payload(code)
    except NotFound:
        cfg = current_app.config
        raise NotFound("shop_not_found", bank=cfg["BANK_NAME"], hotline=cfg["BANK_HOTLINE"],
                       **dead_end(get_db(), code=code, base_url=cfg["PUBLIC_BASE_URL"])) from None
    return conditional(Response(payload, mimetype="application/json"))


@bp.get("/api/shops/<code>/slots")
@doc(resp=Doc(HTTP_200=SlotsPublic, HTTP_404=ErrorBody), tags=["shop"])
def slots(code):
    """Open appointment slots of the manager serving this shop (Asia/Shanghai)."""
    db = get_db()
    link = service.get_link(db, code)
    if link.grid_id:  # the member a booking now would go to: their times, and who they are
        member = service.least_loaded(db, link.grid_id)
        if member is not None:
            return out(SlotsPublic, {**slot_days(db, member, routed=True), "manager": member.name,
                                     "serve_code": service.own_link(db, member).code})
    return out(SlotsPublic, slot_days(db, db.get(Employee, link.employee_id), routed=True))


@bp.post("/api/shops/<code>/visits")
@doc(json=VisitCreate, headers=DeviceHeaders, resp=Doc("HTTP_204", HTTP_404=ErrorBody), tags=["shop"])
def visit(code):
    """Count a visit to the shop (sent by the shop page when it opens): once a day per device
    (X-Device-Id, the shop's random app id; without one, the address)."""
    db = get_db()
    body(VisitCreate)  # a JSON object; what it says of a channel is ignored: the code names it
    device = request.headers.get("X-Device-Id", "")[:64] or f"ip:{request.remote_addr or ''}"
    service.record_visit(db, link=service.get_link(db, code), device=device_hash(device))
    return "", 204


def _qr(code: str, fmt: str, mimetype: str):
    link = service.get_link(get_db(), code)
    url = shop_url(link.code)
    etag = qr.etag(url, fmt)
    if request.if_none_match.contains(etag):
        return Response(status=304, headers={"ETag": f'"{etag}"'})
    data = qr.png(url) if fmt == "png" else qr.svg(url)
    return Response(data, mimetype=mimetype,
                    headers={"ETag": f'"{etag}"', "Cache-Control": "public, max-age=86400"})


@bp.get("/qr/<code>.png")
@doc(resp=Doc("HTTP_200", "HTTP_304", HTTP_404=ErrorBody), media=("image/png",), tags=["shop"])
def qr_png(code):
    """The shop's QR code as a PNG."""
    return _qr(code, "png", "image/png")


@bp.get("/qr/<code>.svg")
@doc(resp=Doc("HTTP_200", "HTTP_304", HTTP_404=ErrorBody), media=("image/svg+xml",), tags=["shop"])
def qr_svg(code):
    """The shop's QR code as an SVG."""
    return _qr(code, "svg", "image/svg+xml")
