"""The baseline: a bare Flask app served by the same gunicorn configuration as the real one.

Every ratio in RESULTS.md divides an endpoint's requests/s by this app's, measured in the
same run, so the machine, the load tool and gunicorn cancel out and what is left is our code.
"""
from flask import Flask, request


def create_app() -> Flask:
    app = Flask(__name__)

    @app.get("/ping")
    def ping():
        return {"ok": True}

    @app.post("/echo")
    def echo():
        data = request.get_json()  # parse the body, as the booking endpoint must
        return {"ok": True, "fields": len(data)}, 201

    return app
