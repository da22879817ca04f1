"""Pushing a report to a webhook (any JSON receiver, or a WeCom group robot), stdlib only."""
import base64
import hashlib
import json
import logging
import time
from datetime import date, datetime
from decimal import Decimal
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit
from urllib.request import Request, urlopen

from server.reports import markdown
from server.reports.report import Report

log = logging.getLogger(__name__)
WECOM_IMAGE_LIMIT = 2 * 1024 * 1024  # WeCom robots refuse images over 2 MB (before base64)


def post(url: str, payload: dict, *, timeout: float = 5, attempts: int = 3,
         backoff: float = 0.5) -> bool:
    """POST `payload` as JSON; retry connection errors and 5xx with exponential back-off.

    Never raises: returns True on a 2xx (and, for WeCom, errcode 0), False otherwise. Logs name
    only the host, because a robot's URL carries its secret key and the payload carries names.
    """
    host = "?"
    try:
        parts = urlsplit(url)
        host = parts.hostname or "?"
        if parts.scheme not in ("http", "https"):
            raise ValueError("only http and https URLs are allowed")
        body = json.dumps(payload, ensure_ascii=False).encode()
        request = Request(url, data=body, method="POST",
                          headers={"Content-Type": "application/json; charset=utf-8"})
    except (TypeError, ValueError) as exc:
        log.warning("webhook to %s not sent: %s", host, type(exc).__name__)
        return False
    attempts = max(int(attempts), 1)
    for attempt in range(1, attempts + 1):
        ok, retry, reason = _attempt(request, timeout)
        if ok:
            return True
        if not retry or attempt == attempts:
            log.warning("webhook to %s failed after %d attempt(s): %s", host, attempt, reason)
            return False
        time.sleep(backoff * 2 ** (attempt - 1))
    return False


def _attempt(request: Request, timeout: float) -> tuple[bool, bool, str]:
    """One try: (delivered, worth retrying, short reason)."""
    try:
        with urlopen(request, timeout=timeout) as response:
            answer = response.read(65536)
    except HTTPError as exc:
        exc.close()
        return False, exc.code >= 500, f"HTTP {exc.code}"
    except (URLError, OSError) as exc:  # refused, reset, DNS failure, timeout
        return False, True, type(getattr(exc, "reason", exc)).__name__
    except Exception as exc:  # noqa: BLE001 - a report must never take its caller down
        return False, False, type(exc).__name__
    return _wecom_verdict(answer)


def _wecom_verdict(answer: bytes) -> tuple[bool, bool, str]:
    """WeCom answers 200 even for a wrong key; its errcode says whether it was accepted."""
    try:
        data = json.loads(answer)
    except ValueError:
        return True, False, "ok"
    if isinstance(data, dict) and data.get("errcode", 0) not in (0, "0"):
        return False, False, f"errcode {data.get('errcode')}"
    return True, False, "ok"


def generic_payload(report: Report) -> dict:
    """Everything a receiver needs to show or store the ranking, as plain JSON values."""
    keys = [key for key, _ in report.columns]
    return {
        "title": report.title,
        "bank": report.bank,
        "day": report.day.isoformat(),
        "period": report.period_label,
        "columns": [{"key": key, "label": label} for key, label in report.columns],
        "rows": [{key: _plain(row.get(key)) for key in keys} for row in report.rows],
        "formula": report.formula,
        "sections": [{"heading": t.heading, "note": t.note,
                      "columns": [{"key": key, "label": label} for key, label in t.columns],
                      "rows": [{key: _plain(row.get(key)) for key, _ in t.columns} for row in t.rows]}
                     for t in report.extra],
        "markdown": markdown.render(report),
    }


def wecom_payload(report: Report) -> dict:
    """A WeCom group-robot markdown message (content kept within WeCom's 4096 bytes)."""
    return {"msgtype": "markdown", "markdown": {"content": markdown.render(report, wecom=True)}}


def wecom_image_payload(png_bytes: bytes) -> dict:
    """A WeCom group-robot image message; WeCom wants base64 plus the MD5 of the raw bytes."""
    if len(png_bytes) > WECOM_IMAGE_LIMIT:
        raise ValueError(f"图片超过企业微信 2MB 上限 / image is {len(png_bytes)} bytes, "
                         f"over WeCom's {WECOM_IMAGE_LIMIT}-byte limit")
    return {"msgtype": "image", "image": {
        "base64": base64.b64encode(png_bytes).decode("ascii"),
        "md5": hashlib.md5(png_bytes, usedforsecurity=False).hexdigest(),
    }}


def _plain(value):
    """A JSON-ready value: dates as ISO strings, Decimals as floats, the rest as text."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
