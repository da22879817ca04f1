"""gunicorn settings: gevent workers so long-lived SSE streams don't use up request capacity.

Every value can be overridden by an environment variable of the same name in capitals
prefixed with GUNICORN_ (e.g. GUNICORN_WORKERS=4).
"""
import multiprocessing
import os

# A served app is production unless told otherwise: no default SECRET_KEY, secure cookies.
os.environ.setdefault("APP_ENV", "production")

bind = os.environ.get("GUNICORN_BIND", os.environ.get("BIND", "127.0.0.1:8000"))
# gthread capacity is workers x threads, so one open SSE stream holds one thread; gevent
# holds thousands of idle streams per worker.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gevent")
# Several workers need Redis to share live events, rate-limit counters and cache invalidation;
# without REDIS_URL (the SQLite demo) one gevent worker keeps them all in one process.
workers = int(os.environ.get("GUNICORN_WORKERS",
                             multiprocessing.cpu_count() if os.environ.get("REDIS_URL") else 1))
worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS", 2000))
timeout = 30
# Each worker builds the app after gevent has patched threading: the booking writer's lock
# (server/bookings/group.py), the notification thread and the bus listener must be gevent's.
preload_app = False
graceful_timeout = 5  # SSE streams would otherwise hold a restart for their whole life
keepalive = 5
# gunicorn 27 opens a control socket shared by every instance on the machine: not here.
control_socket_disable = True
accesslog = "-"
# No query strings in the access log: status tokens never travel there, but keep it lean.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
