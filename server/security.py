"""Response headers on every response, errors included."""
import time
from urllib.parse import urlsplit

from flask import current_app, request, session

from server.errors import ApiError

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; manifest-src 'self'; worker-src 'self'; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
# Public, non-personal data the shop may reuse (the service worker keeps its own copy).
REVALIDATE = ("/api/shops/", "/qr/", "/static/", "/sw.js", "/s/")


def secure_headers(response):
    h = response.headers
    h.setdefault("Content-Security-Policy", CSP)
    h.setdefault("X-Content-Type-Options", "nosniff")
    h.setdefault("Referrer-Policy", "no-referrer")
    h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    h.setdefault("X-Frame-Options", "DENY")
    if request.is_secure:
        h.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if "Cache-Control" not in h:
        public = request.method == "GET" and request.path.startswith(REVALIDATE)
        h["Cache-Control"] = "no-cache" if public else "no-store"
    return response


def same_origin_only():
    """Refuse state-changing requests sent by another site (Fetch Metadata, then Origin).

    The public booking POST cannot carry a CSRF token (an offline outbox may replay it hours
    later), so this check plus JSON-only bodies is its protection; staff requests also need
    the CSRF token.
    """
    if request.method not in UNSAFE:
        return
    site = request.headers.get("Sec-Fetch-Site")
    if site and site not in ("same-origin", "none"):
        raise ApiError("cross_site", 403)
    origin = request.headers.get("Origin")
    if origin and origin not in _own_origins():
        raise ApiError("cross_site", 403)


def _own_origins() -> set[str]:
    public = urlsplit(current_app.config["PUBLIC_BASE_URL"])
    return {request.host_url.rstrip("/"), f"{public.scheme}://{public.netloc}"}


def session_limits():
    """End a staff session that is too old in all, or unused for too long."""
    if "_user_id" not in session:
        return
    now, cfg = int(time.time()), current_app.config
    started, seen = session.get("started", 0), session.get("seen", 0)
    if (now - started > cfg["SESSION_ABSOLUTE_HOURS"] * 3600
            or now - seen > cfg["SESSION_IDLE_MINUTES"] * 60):
        session.clear()
    elif now - seen > 60:  # refresh at most once a minute: fewer cookie rewrites
        session["seen"] = now
