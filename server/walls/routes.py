"""Wall links for head office and branch heads: make one, list them, withdraw one (/api/walls).
Thin: read, check (access.wall_scope via the service), call walls/service.py, serialise."""
from base64 import b64encode

import qr
from flask import Blueprint, current_app
from flask_login import login_required
from spectree import Response as Doc

from server.db import get_db
from server.extensions import doc
from server.http import body, client_ip, me, out
from server.models import ErrorBody
from server.walls import service
from server.walls.schemas import WallLinkCreated, WallLinkIn, WallLinkList, WallLinkPublic

bp = Blueprint("walls", __name__, url_prefix="/api/walls")


@bp.get("")
@login_required
@doc(resp=Doc(HTTP_200=WallLinkList, HTTP_403=ErrorBody), tags=["walls"])
def listing():
    """Wall links I may see (head office: all; a branch head: their branch's), in use first."""
    db = get_db()
    return out(WallLinkList, {"items": service.public(db, service.listing(db, viewer=me()))})


@bp.post("")
@login_required
@doc(json=WallLinkIn, resp=Doc(HTTP_201=WallLinkCreated, HTTP_403=ErrorBody, HTTP_422=ErrorBody), tags=["walls"])
def create():
    """A read-only wall link for a TV (the whole bank: head office only; one branch); audited.
    The answer is the only time the link is shown: only its hash is kept."""
    data = body(WallLinkIn)
    db = get_db()
    link, token = service.create(db, actor=me(), label=data.label, branch_id=data.branch_id, source=client_ip())
    address = service.url(current_app.config["PUBLIC_BASE_URL"], token)
    picture = "data:image/png;base64," + b64encode(qr.png(address, box_size=6)).decode()
    return out(WallLinkCreated, {**service.public(db, [link])[0], "url": address, "qr": picture}, 201)


@bp.post("/<int:link_id>/revoke")
@login_required
@doc(resp=Doc(HTTP_200=WallLinkPublic, HTTP_403=ErrorBody, HTTP_404=ErrorBody), tags=["walls"])
def revoke(link_id):
    """Withdraw a wall link: its screen shows who withdrew it and whom to ask; audited."""
    db = get_db()
    link = service.revoke(db, actor=me(), link_id=link_id, source=client_ip())
    return out(WallLinkPublic, service.public(db, [link])[0])
