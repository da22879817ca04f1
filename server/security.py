"""Response headers on every response, errors included."""
import time
from urllib.parse import urlsplit

from flask import current_app, request, session
from flask.sessions import SecureCookieSessionInterface

from server.errors import ApiError

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; manifest-src 'self'; worker-src 'self'; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
# Public, non-personal data the shop may reuse (the service worker keeps its own copy).
REVALIDATE = ("/api/shops/", "/qr/", "/static/", "/sw.js", "/s/")


SECURE = (("Content-Security-Policy", CSP), ("X-Content-Type-Options", "nosniff"),
          ("Referrer-Policy", "no-referrer"), ("Cross-Origin-Opener-Policy", "same-origin"),
          ("X-Frame-Options", "DENY"))
HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


def secure_headers(response):
    """The security headers a route has not set itself, and a Cache-Control."""
    h = response.headers
    present = {name.lower() for name, _ in h.items()}  # one pass (each `in` is a scan)
    h.extend([pair for pair in SECURE if pair[0].lower() not in present])
    if request.is_secure and "strict-transport-security" not in present:
        h.add(*HSTS)
    if "cache-control" not in present:
        public = request.method == "GET" and request.path.startswith(REVALIDATE)
        h.add("Cache-Control", "no-cache" if public else "no-store")
    return response


class SignedCookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, each verified cookie remembered for a few seconds.

    A staff phone polls with the same cookie again and again; checking its signature and
    decoding it (HMAC, base64, zlib, tagged JSON) was a seventh of a board read. The memo is
    keyed by the whole cookie, signature included, so only a cookie that verified can hit; it
    may outlive the cookie's max age by MEMO_SECONDS at most (session_limits() still applies
    the idle and absolute limits on every request).
    """

    MEMO_SECONDS = 5
    MEMO_SIZE = 10_000

    def __init__(self):
        self._memo: dict[str, tuple[float, dict]] = {}

    def open_session(self, app, request):
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:  # a customer: no session to verify
            return self.session_class()
        now = time.monotonic()
        hit = self._memo.get(cookie)
        if hit is not None and hit[0] > now:
            return self.session_class(hit[1])
        session = super().open_session(app, request)
        if session:  # the signature verified and the cookie was not too old
            if len(self._memo) >= self.MEMO_SIZE:
                self._memo = {}
            self._memo[cookie] = (now + self.MEMO_SECONDS, dict(session))
        return session


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


# Requests a staff page makes by itself: the live stream reconnects every few minutes for as
# long as a tab is open, so it must not count as someone at work (the idle limit).
PASSIVE = frozenset({"live.stream"})


def session_limits():
    """End a staff session that is too old in all, or unused for too long."""
    if "_user_id" not in session:
        return
    now, cfg = int(time.time()), current_app.config
    started, seen = session.get("started", 0), session.get("seen", 0)
    if (now - started > cfg["SESSION_ABSOLUTE_HOURS"] * 3600
            or now - seen > cfg["SESSION_IDLE_MINUTES"] * 60):
        session.clear()
    elif now - seen > 60 and request.endpoint not in PASSIVE:  # at most once a minute
        session["seen"] = now
