"""一人一店: the Flask application factory."""
import weakref

from flask import Flask, jsonify

from config import settings
from server import db as database, errors, inputs, logs
from server.compress import compress
from server.security import SignedCookieSessions, same_origin_only, secure_headers, session_limits
from server.extensions import csrf, limiter, login_manager, only_limited, spec
from server.bookings.group import GroupCommit
from server.cache import Caches
from server.customers import messages as customer_messages
from server.customers.runner import ReminderRunner
from server.live.bus import make_bus
from server.notify.runner import Runner


class App(Flask):
    """Flask, asking whether a hook or view is `async def` once rather than on every request
    (a dozen hooks a request made that a twentieth of a cached read). Weakly keyed: a
    callback made for one request leaves with it."""

    def __init__(self, *args, **kwargs):
        self._sync = weakref.WeakKeyDictionary()  # made once: building one per call cost more than the check
        super().__init__(*args, **kwargs)

    def ensure_sync(self, func):
        try:
            return self._sync[func]
        except KeyError:
            self._sync[func] = done = super().ensure_sync(func)
            return done
        except TypeError:  # cannot be weakly referenced: no cache
            return super().ensure_sync(func)


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: settings, database, extensions, blueprints, CLI."""
    app = App(__name__, static_folder=str(settings.ROOT / "pwa"), static_url_path="/static")
    app.config.from_mapping(settings.load())
    if test_config:
        app.config.from_mapping(test_config)
    settings.check(app.config)
    logs.configure()

    engine = database.make_engine(app.config["DATABASE_URL"])
    app.extensions["engine"] = engine
    app.teardown_appcontext(database.close_db)
    app.extensions["bus"] = make_bus(app.config["REDIS_URL"], app.config["REDIS_CHANNEL"])
    app.extensions["caches"] = Caches(engine, app.extensions["bus"], app.config["SHOP_CACHE_SECONDS"],
                                      app.config["BOARD_CACHE_SECONDS"], app.config["USER_CACHE_SECONDS"])
    app.extensions["notify"] = Runner(app)
    app.extensions["group_commit"] = GroupCommit(engine)
    app.extensions["customer_sender"] = customer_messages.load(app.config["CUSTOMER_SENDER"], app.config)
    app.extensions["reminders"] = ReminderRunner(app)
    app.before_request(app.extensions["reminders"].start)  # started by the first request, never before a fork

    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"] or "memory://")
    limiter.init_app(app)
    only_limited(app)
    # "basic" protection only marks a session "not fresh" (nothing here asks), at a hash of
    # the client's address and user agent per request.
    login_manager.session_protection = None
    login_manager.init_app(app)
    app.session_interface = SignedCookieSessions()
    csrf.init_app(app)
    errors.register(app)
    inputs.register(app)
    app.after_request(secure_headers)
    app.after_request(compress)  # runs first: the headers above apply to the compressed body too
    app.before_request(same_origin_only)
    app.before_request(session_limits)
    _register_blueprints(app)
    spec.register(app)
    app.add_url_rule("/openapi.json", "openapi", lambda: jsonify(spec.spec))
    app.add_url_rule("/healthz", "healthz", lambda: {"ok": True})

    from server import cli
    cli.register(app)
    return app


def _register_blueprints(app):
    from server import pages
    from server.admin.routes import bp as admin
    from server.audit.routes import bp as audit
    from server.handover.routes import bp as handover
    from server.kits.routes import bp as kits
    from server.boards.routes import bp as boards
    from server.checkin.routes import bp as checkin, public as checkin_public
    from server.bookings.routes import bp as bookings
    from server.customers.routes import bp as customers
    from server.customers.status_routes import admin_bp as messages, bp as reminders
    from server.live.routes import bp as live
    from server.org.routes import bp as org
    from server.shops.routes import bp as shops
    from server.staff.routes import bp as staff
    from server.boards.targets_routes import admin_bp as admin_targets, bp as targets
    from server.boards.report_routes import bp as reports
    from server.staff.export_routes import bp as bookings_export
    from server.staff.channel_routes import bp as channel_codes
    from server.walls.routes import bp as walls
    from server.walls.screen import bp as wall_screen

    for bp in (pages.bp, shops, bookings, customers, reminders, messages, staff, boards, live, audit, admin,
               handover, kits, org, targets, admin_targets, reports, bookings_export, channel_codes, checkin,
               checkin_public, walls, wall_screen):
        app.register_blueprint(bp)
    app.before_request(_csrf_for_sessions)


# Public endpoints are JSON-only and carry no session: no CSRF token (offline replays).
PUBLIC_BLUEPRINTS = {"shops", "bookings", "customers", "reminders", "pages", "checkin_public"}


def _csrf_for_sessions():
    """Staff changes need the CSRF token; anonymous requests meet login_required (401) instead.

    Logging in again (another account on a shared branch tablet) needs no token: it starts a
    fresh session anyway."""
    from flask import request
    from flask_login import current_user

    if (request.method in ("POST", "PUT", "PATCH", "DELETE") and request.url_rule is not None  # else a 404 / 405
            and request.endpoint != "staff.login" and request.blueprint not in PUBLIC_BLUEPRINTS
            and current_user.is_authenticated):
        csrf.protect()


@login_manager.user_loader
def _load_user(user_id: str):
    from server.models import Employee

    try:
        pk, version = (int(part) for part in user_id.split("."))
    except ValueError:
        return None
    employee = _cached_employee(pk)
    if employee is None or employee.disabled or employee.session_version != version:
        return None  # left the bank, or logged out everywhere: the old cookie is useless
    return employee


def _cached_employee(pk: int):
    """The employee row behind a session, from this worker's cache when it holds it.

    Any commit that changes an employee (logout and password change bump session_version,
    disabling sets disabled) clears the cache of the committing worker at once and of the
    others when the catalog message reaches them; while Redis is unreachable the cache is
    not used at all, so a copied cookie never outlives a logout there either. A hit is one
    detached, loaded Employee shared by this worker's requests, only ever read: me() gives a
    route that needs the row in its session a copy of its own (most staff reads only need the id).
    """
    from flask import current_app

    from server.cache import detached, row_of
    from server.models import Employee

    caches = current_app.extensions["caches"]
    cache, trusted = caches.users, caches.trusted
    employee = cache.get(pk) if trusted else None
    if employee is None:
        generation = cache.generation
        employee = database.get_db().get(Employee, pk)
        if employee is not None and trusted:
            cache.put(pk, detached(Employee, row_of(employee)), generation)
    return employee


@login_manager.unauthorized_handler
def _unauthorized():
    from server.errors import ApiError

    raise ApiError("login_required", 401)
