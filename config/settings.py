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
        # "development" or "test" allow the default secret key; anything else is production,
        # which refuses it and forces secure cookies. Unset: development under the `flask`
        # command and in tests, production otherwise (config/gunicorn.conf.py sets it too).
        "APP_ENV": env("APP_ENV", ""),
        # Signs session cookies and derives booking status tokens (`python3 run.py demo`
        # keeps a random one in instance/secret_key).
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
        # Messages to customers (codes, receipts, reminders): "log" (the kind only), "memory"
        # (tests and demos), "aliyun" or "tencent" (SMS_* below) or package.module:ClassName.
        "CUSTOMER_SENDER": env("CUSTOMER_SENDER", "log"),
        # Reminders: the day before at this local time, and this many minutes before; never in
        # the quiet hours (Asia/Shanghai); each web process runs a round this often (0: only
        # `flask send-reminders` sends them, e.g. from cron).
        "REMINDER_DAY_BEFORE_AT": env("REMINDER_DAY_BEFORE_AT", "18:00"),
        "REMINDER_HOUR_BEFORE_MINUTES": _int("REMINDER_HOUR_BEFORE_MINUTES", 60),
        "QUIET_HOURS": env("QUIET_HOURS", "22:00-08:00"),
        "REMINDERS_EVERY_SECONDS": _int("REMINDERS_EVERY_SECONDS", 60),
        # SMS providers (CUSTOMER_SENDER=aliyun|tencent): credentials from the environment only;
        # the approved signature, a template per kind of message, region, endpoint (empty: the
        # provider's own), Tencent's SmsSdkAppId, per-request timeout and tries (with back-off).
        "SMS_ACCESS_KEY_ID": env("SMS_ACCESS_KEY_ID", ""),
        "SMS_ACCESS_KEY_SECRET": env("SMS_ACCESS_KEY_SECRET", ""),
        "SMS_SIGN_NAME": env("SMS_SIGN_NAME", ""),
        "SMS_TEMPLATE_CODE": env("SMS_TEMPLATE_CODE", ""),
        "SMS_TEMPLATE_RECEIPT": env("SMS_TEMPLATE_RECEIPT", ""),
        "SMS_TEMPLATE_REMINDER": env("SMS_TEMPLATE_REMINDER", ""),
        "SMS_REGION": env("SMS_REGION", ""),
        "SMS_ENDPOINT": env("SMS_ENDPOINT", ""),
        "SMS_APP_ID": env("SMS_APP_ID", ""),
        "SMS_TIMEOUT_SECONDS": _int("SMS_TIMEOUT_SECONDS", 5),
        "SMS_ATTEMPTS": _int("SMS_ATTEMPTS", 3),
        "SMS_BACKOFF_SECONDS": float(env("SMS_BACKOFF_SECONDS", "1")),  # doubled after each try
        "LOGIN_LIMIT_IP": env("LOGIN_LIMIT_IP", "30/minute"),
        # Wrong passwords for one account from one address (its owner elsewhere is never locked
        # out), and from one address across all accounts.
        "LOGIN_LIMIT_ACCOUNT": env("LOGIN_LIMIT_ACCOUNT", "5/minute;20/hour"),
        "LOGIN_FAILURES_IP": env("LOGIN_FAILURES_IP", "10/minute;50/hour"),
        # After this many wrong passwords for one account in an hour (from anywhere), each login
        # to it waits 0.5 s, doubling up to the maximum: slower guessing, never a lockout.
        "LOGIN_SLOWDOWN_AFTER": _int("LOGIN_SLOWDOWN_AFTER", 10),
        "LOGIN_SLOWDOWN_MAX_SECONDS": float(env("LOGIN_SLOWDOWN_MAX_SECONDS", "3")),
        # Staff numbers head office lets cover absences in any branch (comma-separated);
        # everyone else's delegate comes from the absent person's own branch.
        "CROSS_BRANCH_DELEGATES": env("CROSS_BRANCH_DELEGATES", ""),
        # Personal data is anonymised this many days after a customer's last appointment.
        "RETENTION_DAYS": _int("RETENTION_DAYS", 365),
        # A customer may change dedicated manager at most this many times in 90 days (handover).
        "HANDOVER_MAX_MOVES": _int("HANDOVER_MAX_MOVES", 2),
        # Anti-gaming: this many shop bookings from one phone within these minutes are flagged.
        "FLAG_BURST_COUNT": _int("FLAG_BURST_COUNT", 3),
        "FLAG_BURST_MINUTES": _int("FLAG_BURST_MINUTES", 10),
        # Anti-gaming: a booking completed this soon after it was made is flagged.
        "FLAG_FAST_MINUTES": _int("FLAG_FAST_MINUTES", 10),
        # Anti-gaming: more shop bookings than this from one phone in a day are flagged.
        "FLAG_DEVICE_DAY": _int("FLAG_DEVICE_DAY", 5),
        # Anti-gaming: walk-ins (30 days) above this many times the branch median, and at least
        # FLAG_WALKIN_MIN of them, are flagged when they would count.
        "FLAG_WALKIN_FACTOR": _int("FLAG_WALKIN_FACTOR", 3),
        "FLAG_WALKIN_MIN": _int("FLAG_WALKIN_MIN", 10),
        # Wrong check-in codes one booking accepts before its code check locks.
        "CHECKIN_ATTEMPTS": _int("CHECKIN_ATTEMPTS", 5),
        # Quality score weights (count × weight, summed), shown to staff with the formula.
        # Visits are reach, not results: anyone can send them, so they are left out of the score.
        "QUALITY_WEIGHTS": env("QUALITY_WEIGHTS", "bookings:1,arrived:3,completed:5,no_show:-2"),
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
        # Flask-WTF's HTTPS check wants a Referer, which our Referrer-Policy (no-referrer)
        # never sends; same_origin_only() checks Origin and Fetch Metadata instead.
        "WTF_CSRF_SSL_STRICT": False,
    }


DEVELOPMENT_ENVS = ("development", "test")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def environment(config) -> str:
    """"development", "test" or "production": APP_ENV when set; when unset, development under
    the `flask` command or TESTING, else production. Any other value means production."""
    name = (config.get("APP_ENV") or "").strip()
    if not name:
        import click

        under_cli = click.get_current_context(silent=True) is not None
        name = "test" if config.get("TESTING") else "development" if under_cli else "production"
    return name if name in DEVELOPMENT_ENVS else "production"


def check(config):
    """Refuse settings that must never reach production, and harden the ones that may.

    Production (any environment not explicitly development or test) refuses to start with the
    default or an empty SECRET_KEY, and marks session cookies Secure (with the __Host- prefix)
    unless PUBLIC_BASE_URL is a loopback address (a trial on this machine has no TLS)."""
    from urllib.parse import urlsplit

    config["APP_ENV"] = environment(config)
    if config["APP_ENV"] != "production":
        return
    if config["SECRET_KEY"] in (DEFAULT_SECRET_KEY, "", None):
        raise RuntimeError(
            "Refusing to start: SECRET_KEY is the public default (or empty) and APP_ENV is not "
            "'development' or 'test'. Set SECRET_KEY to a long random value (e.g. "
            "`python3 -c 'import secrets; print(secrets.token_hex(32))'`), or set APP_ENV=development "
            "on a development machine.")
    if urlsplit(config["PUBLIC_BASE_URL"]).hostname not in LOOPBACK_HOSTS:
        config["SESSION_COOKIE_SECURE"] = True
        config["SESSION_COOKIE_NAME"] = "__Host-yryd"
