"""Server-Sent Events: "something changed" pings; clients refetch what they show."""
import time

from flask import Blueprint, Response, current_app
from flask_login import login_required

from server.db import close_db
from server.live.bus import encode

bp = Blueprint("live", __name__, url_prefix="/api")


@bp.get("/stream")
@login_required
def stream():
    # Not wrapped by spectree's @doc: its Flask plugin reads the whole response body, which
    # would buffer an endless stream.
    """An event stream of change messages ({type, employee_id, branch_id}); ends after a few minutes."""
    cfg = current_app.config
    sub = current_app.extensions["bus"].subscribe()  # subscribe now, before the first byte
    heartbeat, max_seconds = cfg["SSE_HEARTBEAT_SECONDS"], cfg["SSE_MAX_SECONDS"]
    close_db()  # hold no database connection (or SQLite read snapshot) for minutes

    def events():
        try:
            # A comment first so proxies start streaming; retry tells browsers when to reconnect.
            yield ": ok\nretry: 3000\n\n"
            ends = time.monotonic() + max_seconds
            while time.monotonic() < ends:
                message = sub.get(timeout=heartbeat)
                yield f"event: change\ndata: {encode(message)}\n\n" if message else ": ping\n\n"
        finally:
            sub.close()

    return Response(events(), mimetype="text/event-stream",
                    headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
