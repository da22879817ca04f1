"""The PWA's pages: static files from pwa/, with a few per-shop values filled in."""
import hashlib
import json
import re

from flask import Blueprint, Response, current_app, redirect
from markupsafe import escape

from config.settings import ROOT
from server.db import get_db
from server.errors import NotFound
from server.shops import service

PWA = ROOT / "pwa"
bp = Blueprint("pages", __name__)


def _page(name: str, **values) -> Response:
    html = (PWA / name).read_text(encoding="utf-8")
    for key, value in values.items():
        html = html.replace("{{" + key + "}}", str(escape(value)))
    return Response(html, mimetype="text/html", headers={"Cache-Control": "no-cache"})


@bp.get("/s/<code>")
def shop(code):
    """The customer shop; title and preview tags name the manager for chat link previews."""
    db = get_db()
    base = current_app.config["PUBLIC_BASE_URL"]
    try:
        link = service.get_link(db, code)
    except NotFound:
        # A dead QR code still gets a page: it tells the customer what to do next.
        response = _page("shop.html", code=code[:16], title=current_app.config["BANK_NAME"],
                         description="", image=f"{base}/static/icons/icon-512.png",
                         url=f"{base}/s/{code[:16]}", manifest="/static/manifest.webmanifest")
        return response, 404
    manager = service.profile(db, link)["manager"]
    return _page(
        "shop.html", code=link.code,
        title=f"{manager['name']}的金融微店 · {current_app.config['BANK_NAME']}",
        description=f"{manager['branch']} {manager['title']} {manager['name']}：在线预约，专人服务。",
        image=f"{base}/static/icons/icon-512.png", url=f"{base}/s/{link.code}",
        manifest=f"/s/{link.code}/manifest.webmanifest")


@bp.get("/s/<code>/manifest.webmanifest")
def shop_manifest(code):
    """The web app manifest, starting at this shop when added to the home screen."""
    link = service.get_link(get_db(), code)
    manifest = json.loads((PWA / "manifest.webmanifest").read_text(encoding="utf-8"))
    manifest.update(id=f"/s/{link.code}", start_url=f"/s/{link.code}", scope="/")
    return Response(json.dumps(manifest, ensure_ascii=False), mimetype="application/manifest+json")


@bp.get("/b/")
def status_page():
    return _page("status.html")


@bp.get("/staff")
def staff_page():
    return _page("staff.html")


@bp.get("/wall")
def wall_page():
    return _page("wall.html")


@bp.get("/sw.js")
def service_worker():
    """The service worker, its VERSION made from the bytes of the files it precaches: any
    change to them installs a new shell on every phone, with nobody to remember a bump."""
    response = Response(_versioned_worker(), mimetype="text/javascript",
                        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"})
    return response


_WORKER: dict = {}  # (file, mtime_ns) of sw.js and every precached file → the served source


def _versioned_worker() -> str:
    source_path = PWA / "sw.js"
    source = source_path.read_text(encoding="utf-8")
    files = [source_path] + [PWA / url.removeprefix("/static/") for url in re.findall(r'"(/static/[^"]+)"', source)]
    stamp = tuple((str(f), f.stat().st_mtime_ns) for f in files if f.exists())
    if _WORKER.get("stamp") != stamp:
        digest = hashlib.sha256()
        for f in files:
            if f.exists():
                digest.update(f.read_bytes())
        _WORKER.update(stamp=stamp, text=re.sub(r'const VERSION = "[^"]*";', f'const VERSION = "{digest.hexdigest()[:16]}";',
                                                source, count=1))
    return _WORKER["text"]


@bp.get("/")
def home():
    return redirect("/staff")
