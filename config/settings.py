"""Settings with safe defaults; every one can be overridden by an environment variable."""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECRET_KEY = "dev-only-not-secret"


def _int(name, default):
    return int(os.environ.get(name, default))


def load():
    """Read the settings from the environment, as a dict for `app.config`."""
    env = os.environ.get
    secure = env("SESSION_COOKIE_SECURE", "0") == "1"
    return {
        # "production" refuses to start with the default secret key.
        "APP_ENV": env("APP_ENV", "development"),
        # Signs session cookies and derives booking status tokens.
        "SECRET_KEY": env("SECRET_KEY", DEFAULT_SECRET_KEY),
        # SQLite file by default; postgresql+psycopg://... when scaled out.
        "DATABASE_URL": env("DATABASE_URL", f"sqlite:///{ROOT / 'instance' / 'yryd.db'}"),
        # Redis for the event bus when several processes serve the app; empty = in-process.
        "REDIS_URL": env("REDIS_URL", ""),
        # The pub/sub channel live changes travel on (one per deployment sharing a Redis).
        "REDIS_CHANNEL": env("REDIS_CHANNEL", "yryd:changes"),
        # Prefix of the rate-limit counters in Redis (two deployments, or test runs, sharing one).
        "RATELIMIT_KEY_PREFIX": env("RATELIMIT_KEY_PREFIX", "yryd"),
        # What printed QR codes and shared links point at.
        "PUBLIC_BASE_URL": env("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
        # The bank's name and hotline, shown on shops, notices and posters.
        "BANK_NAME": env("BANK_NAME", "阳泉农商银行"),
        "BANK_HOTLINE": env("BANK_HOTLINE", "0353-96511"),
        # Version of the privacy notice a customer agrees to when booking.
        "CONSENT_VERSION": env("CONSENT_VERSION", "2026-12-v2"),
        # What the confirmation promises: the manager calls within this many working hours.
        "CONTACT_WITHIN_HOURS": _int("CONTACT_WITHIN_HOURS", 2),
        # Appointment slots: length, earliest start from now, how far ahead one can book.
        "SLOT_MINUTES": _int("SLOT_MINUTES", 30),
        "SLOT_LEAD_MINUTES": _int("SLOT_LEAD_MINUTES", 60),
        "BOOKING_HORIZON_DAYS": _int("BOOKING_HORIZON_DAYS", 14),
        # Server-Sent Events: streams end after this long so browsers reconnect (and workers recycle).
        "SSE_MAX_SECONDS": _int("SSE_MAX_SECONDS", 300),
        "SSE_HEARTBEAT_SECONDS": _int("SSE_HEARTBEAT_SECONDS", 15),
        # Per-process caches of shop profiles and boards, cleared by every change (see
        # server/cache.py); these bound how stale a worker can be if a change message is lost.
        "SHOP_CACHE_SECONDS": _int("SHOP_CACHE_SECONDS", 30),
        "BOARD_CACHE_SECONDS": _int("BOARD_CACHE_SECONDS", 10),
        "USER_CACHE_SECONDS": _int("USER_CACHE_SECONDS", 5),  # 0: read the employee every request
        # Cookies: Secure (and the __Host- prefix) behind TLS; Lax keeps cross-site posts out.
        "SESSION_COOKIE_SECURE": secure,
        "SESSION_COOKIE_NAME": "__Host-yryd" if secure else "yryd",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # A staff session ends after this long in all, or this long unused.
        "SESSION_ABSOLUTE_HOURS": _int("SESSION_ABSOLUTE_HOURS", 12),
        "SESSION_IDLE_MINUTES": _int("SESSION_IDLE_MINUTES", 120),
        "PERMANENT_SESSION_LIFETIME": _int("SESSION_ABSOLUTE_HOURS", 12) * 3600,
        # The cookie is re-sent only when the session changes (login, the once-a-minute idle
        # stamp), not re-signed on every request; it expires at the absolute limit anyway.
        "SESSION_REFRESH_EACH_REQUEST": False,
        "REMEMBER_COOKIE_DURATION": 0,
        # Rate limits (per IP generous: villages share carrier-grade NAT addresses).
        "BOOKING_LIMIT_IP": env("BOOKING_LIMIT_IP", "60/minute;600/hour"),
        # Bookings one phone number may make through shops per day (Asia/Shanghai).
        "BOOKING_PHONE_PER_DAY": _int("BOOKING_PHONE_PER_DAY", 10),
        "PUBLIC_LIMIT_IP": env("PUBLIC_LIMIT_IP", "300/minute"),
        # One-time codes that prove a phone number: per address asking, how long a code lives,
        # wrong tries allowed, codes one number may receive a day, how long a proof lasts.
        "OTP_LIMIT_IP": env("OTP_LIMIT_IP", "5/minute;30/hour"),
        "OTP_TTL_SECONDS": _int("OTP_TTL_SECONDS", 300),
        "OTP_ATTEMPTS": _int("OTP_ATTEMPTS", 5),
        "OTP_PER_DAY": _int("OTP_PER_DAY", 10),
        "PROOF_MINUTES": _int("PROOF_MINUTES", 30),
        # Messages to customers (one-time codes): "log" (the kind only), "memory" (tests and
        # demos) or package.module:ClassName for an SMS provider.
        "CUSTOMER_SENDER": env("CUSTOMER_SENDER", "log"),
        "LOGIN_LIMIT_IP": env("LOGIN_LIMIT_IP", "30/minute"),
        "LOGIN_LIMIT_ACCOUNT": env("LOGIN_LIMIT_ACCOUNT", "5/minute;20/hour"),
        # Personal data is anonymised this many days after a customer's last appointment.
        "RETENTION_DAYS": _int("RETENTION_DAYS", 365),
        # A customer may change dedicated manager at most this many times in 90 days (handover).
        "HANDOVER_MAX_MOVES": _int("HANDOVER_MAX_MOVES", 2),
        # Anti-gaming: this many shop bookings from one phone within these minutes are flagged.
        "FLAG_BURST_COUNT": _int("FLAG_BURST_COUNT", 3),
        "FLAG_BURST_MINUTES": _int("FLAG_BURST_MINUTES", 10),
        # Quality score weights (count × weight, summed), shown to staff with the formula.
        "QUALITY_WEIGHTS": env("QUALITY_WEIGHTS",
                               "visits:0.1,bookings:1,arrived:3,completed:5,no_show:-2"),
        # The level review's indicator weights (职级考评 XLSX), same form; empty = QUALITY_WEIGHTS.
        "LEVEL_REVIEW_WEIGHTS": env("LEVEL_REVIEW_WEIGHTS", ""),
        # New-booking notifications: a webhook (generic JSON or WeCom group robot) and a message
        # sender ("log" writes a log line; plug a domestic SMS/WeChat provider as module:Class).
        "NOTIFY_WEBHOOK_URL": env("NOTIFY_WEBHOOK_URL", ""),
        "NOTIFY_WEBHOOK_FORMAT": env("NOTIFY_WEBHOOK_FORMAT", "generic"),  # generic | wecom
        "MESSAGE_SENDER": env("MESSAGE_SENDER", "log"),
        # Print kits: posters and service boards are A4 at this resolution.
        "PRINT_DPI": _int("PRINT_DPI", 300),
        # Where `flask daily-report --post` sends the day's ranking, and in which format.
        "REPORT_WEBHOOK_URL": env("REPORT_WEBHOOK_URL", ""),
        "REPORT_WEBHOOK_FORMAT": env("REPORT_WEBHOOK_FORMAT", "generic"),  # generic | wecom
        # How many proxies in front set X-Forwarded-For/-Proto (0 = none, trust nothing).
        "PROXY_COUNT": _int("PROXY_COUNT", 0),
        # Largest request body accepted (bytes).
        "MAX_CONTENT_LENGTH": _int("MAX_CONTENT_LENGTH", 64 * 1024),
        # Staff JSON API uses a CSRF header; tokens last as long as the session.
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_CHECK_DEFAULT": False,  # checked for logged-in staff only (server/__init__.py)
        "WTF_CSRF_HEADERS": ["X-CSRFToken"],
    }


def check(config):
    """Refuse settings that must never reach production."""
    if config["APP_ENV"] == "production" and config["SECRET_KEY"] == DEFAULT_SECRET_KEY:
        raise RuntimeError("SECRET_KEY must be set in production (APP_ENV=production).")
