"""The PWA's pages: static files from pwa/, with a few per-shop values filled in."""
import ast
import base64
import hashlib
import json
import re
import warnings

from flask import Blueprint, Response, current_app, redirect, request
from markupsafe import escape

from config.settings import ROOT
from server.db import get_db
from server.errors import NotFound
from server.security import CSP
from server.shops import service
from server.shops.routes import profile_key, profile_payload

PWA = ROOT / "pwa"
bp = Blueprint("pages", __name__)


def _fill(html: str, **values) -> str:
    for key, value in values.items():
        html = html.replace("{{" + key + "}}", str(escape(value)))
    return html


def _template(name: str) -> str:
    return (PWA / name).read_text(encoding="utf-8")


def _page(name: str, **values) -> Response:
    return Response(_fill(_template(name), **values), mimetype="text/html", headers={"Cache-Control": "no-cache"})


@bp.get("/s/<code>")
def shop(code):
    """The customer shop; title and preview tags name the manager for chat link previews, and the
    page carries the shop's data (no second round trip on a slow link). Built once per worker
    and day, cleared with the shop's profile (staff, products, codes, absences)."""
    try:
        body, etag, csp = current_app.extensions["caches"].shops.fetch(("page", *profile_key(code)),
                                                                       lambda: _shop_page(code))
    except NotFound:
        # A dead QR code still gets a page: it asks the shop API, whose 404 says where to go.
        base = current_app.config["PUBLIC_BASE_URL"]
        page = _fill(_shop_template(), code=code[:16], title=current_app.config["BANK_NAME"],
                     description="", image=f"{base}/static/icons/icon-512.png",
                     url=f"{base}/s/{code[:16]}", manifest="/static/manifest.webmanifest")
        return Response(page.replace("{{data}}", ""), 404, mimetype="text/html",
                        headers={"Cache-Control": "no-cache"})
    response = Response(body, mimetype="text/html",
                        headers={"Cache-Control": "no-cache", "Content-Security-Policy": csp})
    response.set_etag(etag)
    if "HTTP_IF_NONE_MATCH" in request.environ:
        return response.make_conditional(request)
    return response


def _shop_page(code: str) -> tuple[bytes, str, str]:
    payload = profile_payload(code)
    data = json.loads(payload)
    manager, cfg = data["manager"], current_app.config
    base, code = cfg["PUBLIC_BASE_URL"], data["code"]
    values = dict(code=code, title=f"{manager['name']}的金融微店 · {cfg['BANK_NAME']}",
                  description=f"{manager['branch']} {manager['title']} {manager['name']}：在线预约，专人服务。",
                  image=f"{base}/static/icons/icon-512.png", url=f"{base}/s/{code}",
                  manifest=f"/s/{code}/manifest.webmanifest")
    # The data goes in last, at its one place: nothing filled in can move or repeat it. Inside
    # <script type="application/json"> no "<" may end the element early.
    template, csp = _inlined(_shop_template())
    before, after = template.split("{{data}}", 1)
    body = b"".join((_fill(before, **values).encode(), payload.replace(b"<", b"\\u003c"),
                     _fill(after, **values).encode()))
    return body, hashlib.sha1(body).hexdigest(), csp


def _shop_template() -> str:
    """shop.html with the Chinese dictionary in (see words())."""
    return _template("shop.html").replace("{{words}}", words())


WORDS = PWA / "js" / "lang" / "zh.js"
TOKEN = re.compile(r"""\s+|//[^\n]*|/\*.*?\*/|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|[A-Za-z_$][\w$]*|[{}:,]""", re.S)
_WORDS: dict = {}  # mtime_ns of lang/zh.js → its words as JSON


def words() -> str:
    """The shop's Chinese dictionary (pwa/js/lang/zh.js: `export default { key: "text", ... };`) as
    JSON, for the shop page to carry: i18n.js reads it there instead of fetching the file, one
    round trip fewer before the shop is drawn on a slow link. "" if the file is written in a way
    this does not read (a computed value, a template string): the page then fetches the file."""
    stamp = WORDS.stat().st_mtime_ns
    if _WORDS.get("stamp") != stamp:
        _WORDS.update(stamp=stamp, json=_object_literal(WORDS.read_text(encoding="utf-8").partition("export default")[2]))
    return _WORDS["json"]


def _object_literal(source: str) -> str:
    """A JavaScript object literal of strings (keys bare or quoted, comments, a trailing comma)
    as JSON that cannot end its <script> element nor be taken for a {{placeholder}}; "" if it is
    anything else."""
    body = source.strip().removesuffix(";").rstrip()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # an escape JavaScript reads otherwise ("\\d") is a SyntaxError
            data = json.loads(_as_json(body))
    except (ValueError, SyntaxError):
        return ""
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        return ""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace("{{", "{\\u007b")


def _as_json(body: str) -> str:
    """The tokens of `body` as JSON text ("" where it has anything else: json.loads refuses it)."""
    out, pos = [], 0
    for m in TOKEN.finditer(body):
        if m.start() != pos:  # something this does not read
            return ""
        pos, token = m.end(), m.group()
        if token[0] in "\"'":
            out.append(json.dumps(ast.literal_eval(token), ensure_ascii=False))
        elif token == "}" and out and out[-1] == ",":
            out[-1] = "}"
        elif token[0] in "{}:,":
            out.append(token)
        elif not (token[0].isspace() or token[0] == "/"):  # a name: a key, never a value
            if not out or out[-1] not in ("{", ","):
                return ""
            out.append(json.dumps(token))
    return "".join(out) if pos == len(body) else ""


STYLE = '<link rel="stylesheet" href="/static/css/app.css">'
SCRIPT = '<script type="module" src="/static/js/shop.js" blocking="render"></script>'
RELATIVE = re.compile(r"""((?:\bfrom|\bimport)\s*\(?\s*)(["'])\./""")


def _inlined(template: str) -> tuple[str, str]:
    """The shop page with its stylesheet and first module inside, and the CSP that allows
    exactly those two (by hash). Over HTTP/1.1 a browser fetches six files at a time, each a
    round trip on a slow link: two fewer files to fetch is one round trip fewer before the shop
    is drawn. Both stay files too (the status page and the service worker use them)."""
    css = (PWA / "css" / "app.css").read_text(encoding="utf-8")
    js = RELATIVE.sub(r"\1\2/static/js/", (PWA / "js" / "shop.js").read_text(encoding="utf-8"))
    if STYLE not in template or SCRIPT not in template or "</style" in css or "</script" in js:
        return template, CSP
    digest = lambda text: "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"  # noqa: E731
    template = (template.replace(STYLE, f"<style>{css}</style>")
                .replace(SCRIPT, f'<script type="module" id="shop-main" blocking="render">{js}</script>'))
    return template, (CSP.replace("script-src 'self'", f"script-src 'self' {digest(js)}")
                      .replace("style-src 'self'", f"style-src 'self' {digest(css)}"))


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


@bp.get("/wall/t")
def wall_link_page():
    """The wall for a TV, opened with a wall link (/wall/t#<token>): the same page, which reads
    the token from the fragment (never sent to the server, so never in a log) and needs no login."""
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
