"""The flask commands a deployment uses: seed the demo, create an admin."""
import pytest
from sqlmodel import Session, select
from werkzeug.security import check_password_hash

from server.models import Employee


@pytest.fixture
def app(empty_app):
    """Commands build the schema themselves, through the migrations."""
    return empty_app


@pytest.fixture
def db(app):
    with Session(app.extensions["engine"]) as session:
        yield session


def test_create_admin_makes_an_account_that_can_log_in(app, db, client):
    r = app.test_cli_runner().invoke(args=["create-admin", "--staff-no", "hq001", "--name", "管理员",
                                           "--branch", "总行", "--password", "a-long-secret"])
    assert r.exit_code == 0, r.output
    admin = db.exec(select(Employee)).one()
    assert (admin.staff_no, admin.role) == ("HQ001", "admin")
    assert check_password_hash(admin.password_hash, "a-long-secret")
    assert client.post("/api/staff/login", json={"staff_no": "HQ001", "password": "a-long-secret"}).status_code == 200


def test_create_admin_refuses_a_short_password(app):
    r = app.test_cli_runner().invoke(args=["create-admin", "--staff-no", "hq1", "--name", "x",
                                           "--branch", "总行", "--password", "short"])
    assert r.exit_code != 0 and "8" in r.output


def test_seed_demo_fills_an_empty_database_and_prints_logins(app):
    runner = app.test_cli_runner()
    r = runner.invoke(args=["seed-demo"])
    assert r.exit_code == 0, r.output
    assert "employees" in r.output
    banner = runner.invoke(args=["demo-banner"])
    assert "工号 YQ0003" in banner.output and "/s/" in banner.output
    again = runner.invoke(args=["seed-demo", "--if-empty"])
    assert again.exit_code == 0 and "已存在" in again.output
