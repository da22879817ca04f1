"""No default secret in production: the public default SECRET_KEY starts the server only in an
explicit development or test mode; production also forces secure cookies behind TLS."""
import importlib.util
import stat
from contextlib import contextmanager
from pathlib import Path

import click
import pytest

from config.settings import DEFAULT_SECRET_KEY
from server import create_app
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def started(tmp_path, **config):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "MESSAGE_SENDER": "", **config})
    try:
        yield app
    finally:
        app.extensions["notify"].stop()
        app.extensions["engine"].dispose()


@pytest.mark.parametrize("env", ["production", "Production", "prod", "PRODUCTION", "staging", "Development"])
def test_the_server_refuses_the_default_key_unless_explicitly_in_development(tmp_path, env):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        with started(tmp_path, APP_ENV=env, SECRET_KEY=DEFAULT_SECRET_KEY):
            pass


def test_an_empty_key_is_refused_in_production_too(tmp_path):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        with started(tmp_path, APP_ENV="production", SECRET_KEY=""):
            pass


def test_unset_outside_the_flask_command_and_tests_means_production(tmp_path, monkeypatch):
    monkeypatch.delenv("APP_ENV", raising=False)
    with pytest.raises(RuntimeError, match="Refusing to start"):
        with started(tmp_path, SECRET_KEY=DEFAULT_SECRET_KEY):
            pass


@pytest.mark.parametrize("env", ["development", "test"])
def test_the_default_key_starts_in_development_or_test(tmp_path, env):
    with started(tmp_path, APP_ENV=env, SECRET_KEY=DEFAULT_SECRET_KEY) as app:
        assert app.config["APP_ENV"] == env


def test_unset_under_the_flask_command_means_development(tmp_path, monkeypatch):
    monkeypatch.delenv("APP_ENV", raising=False)
    with click.Context(click.Command("db-upgrade")):
        with started(tmp_path, SECRET_KEY=DEFAULT_SECRET_KEY) as app:
            assert app.config["APP_ENV"] == "development"


def test_gunicorn_with_app_env_unset_refuses_the_default_key(tmp_path, monkeypatch):
    from tests.servers import gunicorn

    monkeypatch.delenv("APP_ENV", raising=False)
    with pytest.raises(RuntimeError, match="Refusing to start: SECRET_KEY"):
        with gunicorn(f"sqlite:///{tmp_path / 'x.db'}", workers=1, SECRET_KEY=DEFAULT_SECRET_KEY):
            pass


def test_the_procfile_serves_in_production():
    web = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("web:"))
    assert "APP_ENV=${APP_ENV:-production}" in web


def test_production_behind_tls_forces_secure_host_cookies(tmp_path):
    with started(tmp_path, APP_ENV="production", SECRET_KEY="a-long-random-production-key",
                 PUBLIC_BASE_URL="https://shop.example.cn", SESSION_COOKIE_SECURE=False) as app:
        assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_NAME"] == "__Host-yryd"
        from server import db as database
        from sqlmodel import Session

        from tests.conftest import Bank

        database.create_all(app.extensions["engine"])
        with Session(app.extensions["engine"], expire_on_commit=False) as db:
            wang = Bank(db).wang
        r = app.test_client().post("/api/staff/login", json={"staff_no": wang.staff_no, "password": PASSWORD},
                                   base_url="https://shop.example.cn")
        cookie = r.headers["Set-Cookie"]
        assert r.status_code == 200 and cookie.startswith("__Host-yryd=") and "Secure" in cookie


def test_a_development_server_keeps_plain_cookies(tmp_path):
    with started(tmp_path, APP_ENV="development", SECRET_KEY=DEFAULT_SECRET_KEY) as app:
        assert not app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_NAME"] == "yryd"


def test_the_demo_makes_its_own_key_once_and_keeps_it(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("run_script", ROOT / "run.py")
    run = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run)
    monkeypatch.setattr(run, "ROOT", tmp_path)
    (tmp_path / "instance").mkdir()
    key = run.demo_secret_key()
    assert len(key) == 64 and key != DEFAULT_SECRET_KEY
    assert run.demo_secret_key() == key
    assert stat.S_IMODE((tmp_path / "instance" / "secret_key").stat().st_mode) == 0o600
    assert "instance/" in (ROOT / ".gitignore").read_text().splitlines()
