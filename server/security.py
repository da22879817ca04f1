"""Response headers on every response, errors included."""
from flask import request

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
