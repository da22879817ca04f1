"""Webhook clients do not follow redirects: a 3xx is a failed delivery, and nothing reaches
the address it points at."""
import http.server
import threading

import pytest

from server.reports import webhook


class Loopback:
    """A loopback HTTP server answering every request with `status` (and a Location)."""

    def __init__(self, status: int, location: str = ""):
        self.requests: list[str] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                outer.requests.append(self.command)
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            do_GET = do_POST = _answer

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def elsewhere():
    server = Loopback(200)
    yield server
    server.close()


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_a_failed_delivery_and_is_not_followed(elsewhere, status):
    redirecting = Loopback(status, location=elsewhere.url)
    try:
        assert webhook.post(redirecting.url, {"text": "新预约"}, attempts=2, backoff=0) is False
        assert redirecting.requests == ["POST"]  # a 3xx is not retried either
        assert elsewhere.requests == []
    finally:
        redirecting.close()


def test_a_plain_2xx_still_counts_as_delivered(elsewhere):
    assert webhook.post(elsewhere.url, {"text": "新预约"}) is True
    assert elsewhere.requests == ["POST"]
