"""Compressed text responses (brotli, else gzip) for phones on slow rural links.

A body with a strong ETag (static files, the cached shop page and profile) is compressed once per
worker and kept under that ETag (static files at the highest quality: the same bytes are served
thousands of times). Other bodies are compressed per response at a quick setting. The compressed copy's ETag
is made weak, as nginx does, so a phone's If-None-Match still meets the route's own 304 before
anything is compressed. Never compressed: streams (the live SSE stream, exports), tiny bodies,
anything but a 200 to a GET, responses that chose their own encoding.
"""
import gzip
from functools import lru_cache

import brotli
from flask import Response, request

TEXT = {"text/html", "text/css", "text/javascript", "application/javascript", "application/json",
        "application/manifest+json", "image/svg+xml", "text/plain"}
MIN_SIZE = 512  # below this a compressed body saves no round trip and costs CPU
KEEP = 512  # compressed bodies kept per worker (content-addressed by ETag, so never stale)
_kept: dict[tuple[str, str], bytes] = {}


@lru_cache(maxsize=64)
def coding_for(accept_encoding: str) -> str | None:
    """"br" or "gzip" if the client accepts it (q > 0), brotli first; None otherwise."""
    accepted = set()
    for part in accept_encoding.lower().split(","):
        name, _, params = part.strip().partition(";")
        q = params.strip().removeprefix("q=")
        try:
            if params and float(q) <= 0:
                continue
        except ValueError:
            continue
        accepted.add(name.strip())
    return next((c for c in ("br", "gzip") if c in accepted), None)


def _compress(data: bytes, coding: str, best: bool) -> bytes:
    """best: files that never change while the server runs (brotli's top quality costs tens of
    milliseconds, once); anything built from data is compressed quickly, as it may change."""
    if coding == "br":
        return brotli.compress(data, quality=11 if best else 5)
    return gzip.compress(data, compresslevel=9 if best else 6, mtime=0)


def compress(response: Response) -> Response:
    """after_request: compress `response` if it is text, big enough and not a stream."""
    if (request.method != "GET" or response.status_code != 200 or response.mimetype not in TEXT
            or "Content-Encoding" in response.headers):
        return response
    if response.is_streamed and request.endpoint != "static":  # /api/stream, exports
        return response
    length = response.content_length
    if length is not None and length < MIN_SIZE:
        return response
    response.vary.add("Accept-Encoding")
    coding = coding_for(request.headers.get("Accept-Encoding", ""))
    if coding is None:
        return response
    etag, weak = response.get_etag()
    key = (etag, coding) if etag and not weak else None
    body = _kept.get(key) if key else None
    response.direct_passthrough = False  # static files: read the file here
    if body is None:
        data = response.get_data()
        if len(data) < MIN_SIZE:
            return response
        body = _compress(data, coding, best=request.endpoint == "static")
        if key:
            if len(_kept) >= KEEP:
                _kept.clear()
            _kept[key] = body
    else:
        close = getattr(response.response, "close", None)
        if close is not None:
            close()  # the open static file we will not read
    response.set_data(body)
    response.headers["Content-Encoding"] = coding
    if etag:
        response.set_etag(etag, weak=True)
    return response
