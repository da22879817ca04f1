#!/usr/bin/env python3
"""Quick start for a fresh clone, needing only Python 3.11+:

    python3 run.py demo   # seeded SQLite demo bank on http://127.0.0.1:8000
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


def demo_secret_key() -> str:
    """The demo's own random SECRET_KEY, made on first run and kept in instance/ (gitignored)."""
    path = ROOT / "instance" / "secret_key"
    if not path.exists():
        import secrets

        path.touch(mode=0o600)
        path.write_text(secrets.token_hex(32))
    return path.read_text().strip()


def demo() -> None:
    """Seed the demo bank if the database is empty, print the banner, serve on 127.0.0.1:8000."""
    os.environ.setdefault("PUBLIC_BASE_URL", "http://127.0.0.1:8000")
    (ROOT / "instance").mkdir(exist_ok=True)
    # A development server on this machine (plain HTTP), signed with a key nobody else knows.
    os.environ.setdefault("APP_ENV", "development")
    os.environ.setdefault("SECRET_KEY", demo_secret_key())
    flask("seed-demo", "--if-empty")
    flask("demo-banner")
    os.execv(str(BIN / "gunicorn"), [str(BIN / "gunicorn"), "-c", "config/gunicorn.conf.py",
                                     "--bind", "127.0.0.1:8000", "server:create_app()"])


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
