#!/usr/bin/env python3
"""Quick start for a fresh clone, needing only Python 3.11+:

    python3 run.py demo          # seeded SQLite demo bank on http://127.0.0.1:8000 (PORT=8080 for another port)
    python3 run.py test          # the whole test suite
    python3 run.py constraints   # after changing requirements*.txt: re-pin every indirect dependency

Each command creates .venv and installs requirements on first use (and when they change),
with every indirect dependency pinned by constraints.txt.
"""
import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
REQUIREMENTS = ["requirements.txt", "requirements-dev.txt"]
CONSTRAINTS = "constraints.txt"


def ensure_venv() -> None:
    """Create .venv and (re)install requirements when their contents changed."""
    if sys.version_info < (3, 11):
        sys.exit("Python 3.11 or newer is needed.")
    if not PY.exists():
        print("creating .venv …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256(b"".join((ROOT / r).read_bytes() for r in REQUIREMENTS + [CONSTRAINTS])).hexdigest()
    stamp = VENV / ".deps-stamp"
    if not stamp.exists() or stamp.read_text() != digest:
        print("installing requirements …", flush=True)
        subprocess.check_call(pip_install() + ["-c", str(ROOT / CONSTRAINTS)])
        stamp.write_text(digest)


def pip_install() -> list[str]:
    args = [str(PY), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    for r in REQUIREMENTS:
        args += ["-r", str(ROOT / r)]
    return args


def constraints() -> None:
    """Install the requirements without the old pins, then pin what they need now."""
    if not PY.exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    subprocess.check_call(pip_install())
    subprocess.check_call([str(PY), __file__, "_pin"], cwd=ROOT)
    (VENV / ".deps-stamp").unlink(missing_ok=True)  # the next run checks against the new pins


def pin() -> None:
    """(Run by .venv's Python.) Write constraints.txt: every package the requirements need,
    directly or not, at the version installed in .venv."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        from packaging.requirements import Requirement
    except ImportError:
        from pip._vendor.packaging.requirements import Requirement

    def named(line: str):
        line = line.split("#")[0].strip()
        return Requirement(line) if line and not line.startswith("-") else None

    todo = [(r, None) for f in REQUIREMENTS for r in map(named, (ROOT / f).read_text().splitlines()) if r]
    pins: dict[str, str] = {}
    while todo:
        req, extra = todo.pop()
        if req.marker and not req.marker.evaluate({"extra": extra or ""}):
            continue
        try:
            dist = distribution(req.name)
        except PackageNotFoundError:
            continue  # an optional dependency this platform does not install
        name = dist.metadata["Name"].lower().replace("_", "-")
        if name in pins:
            continue
        pins[name] = dist.version
        for line in dist.requires or []:
            sub = Requirement(line)
            if sub.marker is None or any(sub.marker.evaluate({"extra": e}) for e in ["", *req.extras]):
                todo.append((sub, next(iter(req.extras), None)))
    header = ("# Every package the requirements need, directly or not, pinned (pip install -c).\n"
              "# Made by `python3 run.py constraints` after changing requirements*.txt; do not edit.\n")
    (ROOT / CONSTRAINTS).write_text(header + "".join(f"{n}=={v}\n" for n, v in sorted(pins.items())))
    print(f"{CONSTRAINTS}: {len(pins)} packages pinned")


def flask(*args: str) -> None:
    subprocess.check_call([str(BIN / "flask"), "--app", "server", *args], cwd=ROOT)


def demo_secret_key() -> str:
    """The demo's own random SECRET_KEY, made on first run and kept in instance/ (gitignored)."""
    path = ROOT / "instance" / "secret_key"
    if not path.exists():
        import secrets

        path.touch(mode=0o600)
        path.write_text(secrets.token_hex(32))
    return path.read_text().strip()


def demo_address(environ) -> tuple[str, str]:
    """Where the demo listens (127.0.0.1:$PORT, 8000 by default) and the base URL the banner and
    the QR codes use (PUBLIC_BASE_URL if set, else that address)."""
    port = environ.get("PORT", "").strip() or "8000"
    if not port.isdigit() or not 0 < int(port) < 65536:
        sys.exit(f"PORT must be a port number (1–65535), not {port!r}.")
    bind = f"127.0.0.1:{int(port)}"
    return bind, environ.get("PUBLIC_BASE_URL") or f"http://{bind}"


def demo() -> None:
    """Seed the demo bank if the database is empty, print the banner, serve on 127.0.0.1:$PORT."""
    bind, os.environ["PUBLIC_BASE_URL"] = demo_address(os.environ)
    (ROOT / "instance").mkdir(exist_ok=True)
    # A development server on this machine (plain HTTP), signed with a key nobody else knows.
    os.environ.setdefault("APP_ENV", "development")
    os.environ.setdefault("SECRET_KEY", demo_secret_key())
    flask("seed-demo", "--if-empty")
    flask("demo-banner")
    os.execv(str(BIN / "gunicorn"), [str(BIN / "gunicorn"), "-c", "config/gunicorn.conf.py",
                                     "--bind", bind, "server:create_app()"])


def test(extra: list[str]) -> None:
    os.chdir(ROOT)
    os.execv(str(PY), [str(PY), "-m", "pytest", *extra])


def main() -> None:
    command, extra = (sys.argv[1] if len(sys.argv) > 1 else ""), sys.argv[2:]
    if command == "_pin":
        return pin()
    if command == "constraints":
        return constraints()
    if command not in ("demo", "test"):
        sys.exit(__doc__)
    ensure_venv()
    demo() if command == "demo" else test(extra)


if __name__ == "__main__":
    main()
