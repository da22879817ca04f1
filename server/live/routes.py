"""Server-Sent Events: "something changed" pings; clients refetch what they show."""
import time

from flask import Blueprint, Response, current_app
from flask_login import login_required

from server import access
from server.db import close_db, get_db
from server.http import me
from server.live.bus import encode

bp = Blueprint("live", __name__, url_prefix="/api")


@bp.get("/stream")
@login_required
def stream():
    # Not wrapped by spectree's @doc: its Flask plugin reads the whole response body, which
    # would buffer an endless stream.
    """An event stream of change messages ({type, employee_id, branch_id} for changes within my
    scope, only {type} for others'); ends after a few minutes."""
    sub = current_app.extensions["bus"].subscribe()  # subscribe now, before the first byte
    scope = access.event_scope(get_db(), me())
    close_db()  # hold no database connection (or SQLite read snapshot) for minutes
    return event_stream(sub, lambda message: _for(scope, message))


def event_stream(sub, shape, still_open=lambda: True) -> Response:
    """The stream of a subscription: each message as shape(message) says (None: not sent), a
    heartbeat when quiet; it ends after SSE_MAX_SECONDS, or at a heartbeat once still_open()
    says no (browsers reconnect, and meet whatever refuses them then)."""
    cfg = current_app.config
    heartbeat, max_seconds = cfg["SSE_HEARTBEAT_SECONDS"], cfg["SSE_MAX_SECONDS"]

    def events():
        try:
            # A comment first so proxies start streaming; retry tells browsers when to reconnect.
            yield ": ok\nretry: 3000\n\n"
            ends = time.monotonic() + max_seconds
            while time.monotonic() < ends:
                message = sub.get(timeout=heartbeat)
                if message is None:
                    if not still_open():
                        return
                    yield ": ping\n\n"
                elif (shaped := shape(message)) is not None:
                    yield f"event: change\ndata: {encode(shaped)}\n\n"
        finally:
            sub.close()

    return Response(events(), mimetype="text/event-stream",
                    headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


def _for(scope, message: dict) -> dict:
    """A change as this viewer may see it: whole when it concerns someone in their scope, else
    only its type (rankings everyone sees may have moved; whose booking it was stays unsaid)."""
    if access.sees_event(scope, message):
        return message
    return {"type": message.get("type", "change")}
