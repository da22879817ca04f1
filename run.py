#!/usr/bin/env python3
"""Quick start for a fresh clone, needing only Python 3.11+:

    python3 run.py demo   # seeded SQLite demo bank on http://127.0.0.1:8000 (PORT=8080 for another port)
    python3 run.py test   # the whole test suite

Each command creates .venv and installs requirements on first use (and when they change).
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


def ensure_venv() -> None:
    """Create .venv and (re)install requirements when their contents changed."""
    if sys.version_info < (3, 11):
        sys.exit("Python 3.11 or newer is needed.")
    if not PY.exists():
        print("creating .venv …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256(b"".join((ROOT / r).read_bytes() for r in REQUIREMENTS)).hexdigest()
    stamp = VENV / ".deps-stamp"
    if not stamp.exists() or stamp.read_text() != digest:
        print("installing requirements …", flush=True)
        args = [str(PY), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
        for r in REQUIREMENTS:
            args += ["-r", str(ROOT / r)]
        subprocess.check_call(args)
        stamp.write_text(digest)


def flask(*args: str) -> None:
    subprocess.check_call([str(BIN / "flask"), "--app", "server", *args], cwd=ROOT)


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
    flask("seed-demo", "--if-empty")
    flask("demo-banner")
    os.execv(str(BIN / "gunicorn"), [str(BIN / "gunicorn"), "-c", "config/gunicorn.conf.py",
                                     "--bind", bind, "server:create_app()"])


def test(extra: list[str]) -> None:
    os.chdir(ROOT)
    os.execv(str(PY), [str(PY), "-m", "pytest", *extra])


def main() -> None:
    command, extra = (sys.argv[1] if len(sys.argv) > 1 else ""), sys.argv[2:]
    if command not in ("demo", "test"):
        sys.exit(__doc__)
    ensure_venv()
    demo() if command == "demo" else test(extra)


if __name__ == "__main__":
    main()
