"""TV wall links: a long random token in a URL that shows the live wall, and nothing else, for
the whole bank or one branch, without anyone's login (a staff session ends after 12 hours; a
branch TV must not). Only the token's hash is stored; a link is withdrawn, never deleted, and
both are audited. Who may make and withdraw one is access.wall_scope()'s to say."""
import base64
import hashlib
import hmac
import secrets
from datetime import timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import or_, update
from sqlmodel import Session, select

from server import access
from server.audit import service as audit
from server.db import begin_write
from server.errors import ApiError, Invalid, NotFound
from server.models import Branch, Employee, WallLink, clean_text, utcnow

TOUCH_EVERY = timedelta(minutes=5)  # "last used" is written at most this often per link
TOKEN_MAX = 100  # longer than any token we make: refused before hashing
# A stream ticket stands in for the token in the live stream's URL (EventSource sends no
# headers): a proxy's log may keep a URL, so the URL holds only this, which expires.
TICKET_SECONDS = 3600


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def url(base: str, token: str) -> str:
    """The wall link: the token in the fragment, so no server or proxy log ever holds it."""
    return f"{base}/wall/t#{token}"


def create(db: Session, *, actor: Employee, label: str, branch_id: int | None, source: str = "",
           token: str | None = None) -> tuple[WallLink, str]:
    """A new link (and its token, which is never stored) for the bank or one branch; audited."""
    scope = access.wall_scope(actor)  # 403 for anyone but head office and branch heads
    label = " ".join(clean_text(label).split())
    if not label:
        raise Invalid(label="required")
    if branch_id is not None and db.get(Branch, branch_id) is None:
        raise Invalid(branch_id="branch_unknown")
    access.require(scope is None or branch_id == scope)
    token = token or secrets.token_urlsafe(32)
    begin_write(db)
    link = WallLink(token_hash=hash_token(token), label=label, branch_id=branch_id, created_by=actor.id)
    db.add(link)
    db.flush()
    audit.record(db, action="wall_link_created", actor=actor, target=f"wall:{link.id}", source=source,
                 branch_id=branch_id)
    db.commit()
    return link, token


def revoke(db: Session, *, actor: Employee, link_id: int, source: str = "") -> WallLink:
    """Withdraw a link (404 if it is not one the actor may see); withdrawing twice changes nothing."""
    access.wall_scope(actor)  # 403 for anyone but head office and branch heads, before any lookup
    begin_write(db)
    link = db.get(WallLink, link_id)
    if link is None or not access.may_handle_wall(actor, link.branch_id):
        db.rollback()
        raise NotFound("not_found")
    if link.revoked_at is None:
        link.revoked_at, link.revoked_by = utcnow(), actor.id
        db.add(link)
        audit.record(db, action="wall_link_revoked", actor=actor, target=f"wall:{link.id}", source=source,
                     branch_id=link.branch_id)
    db.commit()
    return link


def listing(db: Session, *, viewer: Employee) -> list[WallLink]:
    """The links the viewer may see: head office all, a branch head their branch's; those in use
    first, newest first."""
    scope = access.wall_scope(viewer)
    query = select(WallLink)
    if scope is not None:
        query = query.where(WallLink.branch_id == scope)
    return list(db.exec(query.order_by(WallLink.revoked_at.is_not(None), WallLink.created_at.desc(),
                                       WallLink.id.desc())))


def public(db: Session, links: list[WallLink]) -> list[dict]:
    """Links as the admin screen lists them: names instead of ids, never the token."""
    branches = {b.id: b.name for b in db.exec(select(Branch))}
    ids = {i for link in links for i in (link.created_by, link.revoked_by) if i}
    names = {e.id: e.name for e in db.exec(select(Employee).where(Employee.id.in_(ids)))} if ids else {}
    return [{"id": link.id, "label": link.label, "scope": "branch" if link.branch_id else "bank",
             "branch_id": link.branch_id, "branch": branches.get(link.branch_id, ""),
             "created_by": names.get(link.created_by, ""), "created_at": link.created_at,
             "last_used_at": link.last_used_at, "revoked_at": link.revoked_at,
             "revoked_by": names.get(link.revoked_by, ""), "active": link.revoked_at is None}
            for link in links]


def resolve(db: Session, token: str) -> WallLink:
    """The link a screen's token names: 404 if none, 410 (with who withdrew it, and when) if
    withdrawn. Notes when it was last used."""
    if not token or len(token) > TOKEN_MAX:
        raise NotFound("wall_not_found")
    link = _in_use(db, db.exec(select(WallLink).where(WallLink.token_hash == hash_token(token))).first())
    _touch(db, link)
    return link


def stream_ticket(secret: str, link: WallLink) -> str:
    """A signed, expiring stand-in for the token, for the live stream's URL."""
    return URLSafeTimedSerializer(secret, salt="wall-stream").dumps(link.id)


def by_ticket(db: Session, secret: str, ticket: str) -> WallLink:
    """The link a stream ticket names: 404 if forged or expired (the page then asks for a new
    one with its token), 410 if the link was withdrawn meanwhile."""
    try:
        link_id = URLSafeTimedSerializer(secret, salt="wall-stream").loads(ticket[:TOKEN_MAX], max_age=TICKET_SECONDS)
    except BadSignature:
        raise NotFound("wall_not_found")
    return _in_use(db, db.get(WallLink, link_id) if isinstance(link_id, int) else None)


def _in_use(db: Session, link: WallLink | None) -> WallLink:
    if link is None:
        raise NotFound("wall_not_found")
    if link.revoked_at is not None:
        raise ApiError("wall_revoked", 410, **gone(db, link))
    return link


def still_active(db: Session, link_id: int) -> bool:
    return db.exec(select(WallLink.revoked_at).where(WallLink.id == link_id)).first() is None


def gone(db: Session, link: WallLink) -> dict:
    """What the withdrawn page says: the link, who withdrew it (and their branch), when."""
    who = db.get(Employee, link.revoked_by) if link.revoked_by else None
    branches = {b.id: b.name for b in db.exec(select(Branch))}
    return {"label": link.label, "branch": branches.get(link.branch_id, ""),
            "revoked_at": link.revoked_at.isoformat(), "revoked_by": who.name if who else "",
            "revoked_by_branch": branches.get(who.branch_id, "") if who else ""}


def _touch(db: Session, link: WallLink) -> None:
    """Last used: one guarded UPDATE every TOUCH_EVERY at most (a TV reads every few seconds)."""
    now = utcnow()
    if link.last_used_at is not None and now - link.last_used_at < TOUCH_EVERY:
        return
    begin_write(db)
    db.execute(update(WallLink).where(WallLink.id == link.id, or_(WallLink.last_used_at.is_(None),
                                                                  WallLink.last_used_at < now - TOUCH_EVERY))
               .values(last_used_at=now))
    db.commit()


def demo_link(db: Session, *, secret: str) -> tuple[str, bool]:
    """The demo's bank-wide wall token, derived from the secret key so the banner can print it
    on every start (only its hash is stored); made by the first admin when missing. Returns the
    token and whether the link is still in use (someone may have withdrawn it)."""
    token = base64.urlsafe_b64encode(hmac.new(secret.encode(), b"yryd demo wall", hashlib.sha256).digest())
    token = token.decode().rstrip("=")
    link = db.exec(select(WallLink).where(WallLink.token_hash == hash_token(token))).first()
    if link is None:
        admin = db.exec(select(Employee).where(Employee.role == "admin").order_by(Employee.id)).first()
        if admin is None:
            return token, False
        link, _ = create(db, actor=admin, label="演示大屏 Demo TV", branch_id=None, source="demo", token=token)
    return token, link.revoked_at is None
