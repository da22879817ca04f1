"""`flask --app server ...` commands: create the schema, seed the demo bank, add an admin.

Commands that act for someone (import-roster, print-kit, report) take --operator <工号>: an
active employee, allowed by server/access.py, whom the audit log names (source "cli")."""
import sys
from pathlib import Path

import click
from sqlmodel import Session, select

import qr
from server import db as database
from server.models import Branch, Employee
from server.shops.service import own_link
from server.staff.service import hash_password


OPERATOR_HELP = "Your 工号: the audit log names you as the one who ran this (required)."


def operator(db: Session, staff_no: str, allowed=lambda employee: True) -> Employee:
    """The active employee running a command (--operator), or exit: an unknown, departed or
    not-allowed operator is refused before anything is done."""
    employee = db.exec(select(Employee).where(Employee.staff_no == staff_no.strip().upper())).first()
    if employee is None or employee.disabled:
        sys.exit(f"没有这个在岗工号：{staff_no} / --operator must be the 工号 of an active employee")
    if not allowed(employee):
        sys.exit(f"{employee.staff_no} 无权执行此操作 / --operator {employee.staff_no} may not do this")
    return employee


def register(app):
    engine = app.extensions["engine"]

    @app.cli.command("db-upgrade")
    def db_upgrade():
        """Create or upgrade the schema with the Alembic migrations (the release step)."""
        database.upgrade(engine)
        click.echo("数据库已是最新 / database schema up to date")

    @app.cli.command("seed-demo")
    @click.option("--reset", is_flag=True, help="Drop every table first (destroys all data).")
    @click.option("--if-empty", is_flag=True, help="Do nothing if the database already has data.")
    def seed_demo(reset, if_empty):
        """(Re)create the demo bank: branches, grids, staff, products and a few days of activity."""
        from server import demo

        if reset:
            database.drop_everything(engine)
        database.upgrade(engine)
        with Session(engine, expire_on_commit=False) as db:
            if not demo.is_empty(db):
                if if_empty:
                    click.echo("演示数据已存在 / demo data already present")
                    return
                sys.exit("The database is not empty: use --reset to recreate the demo bank.")
            result = demo.seed_demo(db, progress=lambda msg: click.echo(f"  … {msg}"))
        click.echo(f"演示银行已创建 / demo bank created: {result['counts']}")

    @app.cli.command("create-admin")
    @click.option("--staff-no", required=True)
    @click.option("--name", required=True)
    @click.option("--branch", required=True, help="Branch name (created if missing).")
    @click.password_option()
    def create_admin(staff_no, name, branch, password):
        """Create (or reset) a head-office admin account for a real deployment."""
        if len(password) < 8:
            sys.exit("The password needs at least 8 characters.")
        database.upgrade(engine)
        with Session(engine, expire_on_commit=False) as db:
            b = db.exec(select(Branch).where(Branch.name == branch)).first() or Branch(name=branch)
            db.add(b)
            db.flush()
            e = db.exec(select(Employee).where(Employee.staff_no == staff_no.upper())).first()
            e = e or Employee(staff_no=staff_no.upper(), name=name, branch_id=b.id)
            e.name, e.role, e.disabled = name, "admin", False
            e.password_hash = hash_password(password)
            e.session_version += 1 if e.id else 0
            db.add(e)
            db.commit()
            own_link(db, e)
        click.echo(f"管理员已创建 / admin ready: {staff_no.upper()}")

    @app.cli.command("rebuild-rollups")
    def rebuild_rollups():
        """Recompute the per-day leaderboard rollups from the raw events."""
        from server.boards.rollups import rebuild

        with Session(engine) as db:
            n = rebuild(db)
        click.echo(f"rollups rebuilt from {n} event groups")

    @app.cli.command("demo-banner")
    def demo_banner():
        """Print the demo's URLs and logins, and one shop's QR code for a phone to scan."""
        from server import demo

        from server.walls import service as walls

        base = app.config["PUBLIC_BASE_URL"]
        with Session(engine) as db:
            logins = demo.logins(db)
            wall_token, wall_active = walls.demo_link(db, secret=app.config["SECRET_KEY"])
        shop = f"{base}/s/{logins[0]['shop_code']}"
        click.echo(qr.terminal(shop))
        click.echo(f"\n  一人一店 demo — {app.config['BANK_NAME']}\n")
        click.echo(f"  客户微店 Customer shop : {shop}")
        click.echo(f"  员工工作台 Staff app   : {base}/staff")
        click.echo(f"  龙虎榜大屏 Live wall   : {base}/wall  (员工登录，12 小时后自动退出 / staff login, ends after 12 h)")
        click.echo(f"  电视大屏链接 TV wall   : {walls.url(base, wall_token)}"
                   + ("  (免登录、全行、可撤销 / no login, whole bank, revocable)" if wall_active
                      else "  (已停用：在 管理 → 大屏链接 新建 / withdrawn: make one under Admin → TV walls)"))
        click.echo(f"  API 文档 OpenAPI       : {base}/openapi.json\n")
        for row in logins:
            click.echo(f"  {row['role_label']:<10} 工号 {row['staff_no']}  密码 {row['password']}  ({row['name']})")
        click.echo("")

    @app.cli.command("report")
    @click.option("--period", type=click.Choice(["day", "week", "month"]), default="day", show_default=True,
                  help="日通报, 周通报 (Monday to --day) or 月通报 (the 1st to --day).")
    @click.option("--day", help="Asia/Shanghai day the period ends on, YYYY-MM-DD (default: today).")
    @click.option("--out", "out_dir", default="instance/reports", show_default=True,
                  help="Folder for the PNG poster and the Markdown.")
    @click.option("--post", is_flag=True, help="Also post to REPORT_WEBHOOK_URL.")
    @click.option("--operator", "staff_no", required=True, help=OPERATOR_HELP)
    def report(period, day, out_dir, post, staff_no):
        """Render the period's ranking as a PNG poster and Markdown; optionally post it."""
        _report(period, day, out_dir, post, staff_no)

    @app.cli.command("daily-report")
    @click.option("--day", help="Asia/Shanghai day, YYYY-MM-DD (default: today).")
    @click.option("--out", "out_dir", default="instance/reports", show_default=True,
                  help="Folder for the PNG poster and the Markdown.")
    @click.option("--post", is_flag=True, help="Also post to REPORT_WEBHOOK_URL.")
    @click.option("--operator", "staff_no", required=True, help=OPERATOR_HELP)
    def daily_report(day, out_dir, post, staff_no):
        """The day's ranking (日通报): the same as `report --period day`."""
        _report("day", day, out_dir, post, staff_no)

    def _report(period, day, out_dir, post, staff_no):
        from datetime import date as date_

        from server.boards import periodic
        from server.boards.routes import weights
        from server.audit import service as audit
        from server.clock import local_day
        from server.models import utcnow
        from qr import fonts
        from server.reports import markdown, png, webhook

        try:
            the_day = date_.fromisoformat(day) if day else local_day(utcnow())
        except ValueError:
            sys.exit("--day must be a date like 2026-12-06.")
        try:
            fonts.find_cjk_font()
        except fonts.FontMissing as e:
            sys.exit(str(e))
        with Session(engine, expire_on_commit=False) as db:
            actor = operator(db, staff_no)
            click.echo(f"  … ranking {period} ending {the_day}")
            report = periodic.build(db, period=period, day=the_day, weights=weights(),
                                    bank=app.config["BANK_NAME"])
        folder = Path(out_dir)
        folder.mkdir(parents=True, exist_ok=True)
        name = str(the_day) if period == "day" else f"{period}-{the_day}"
        click.echo("  … drawing the poster")
        (folder / f"{name}.png").write_bytes(png.render(report))
        (folder / f"{name}.md").write_text(markdown.render(report), encoding="utf-8")
        click.echo(f"{periodic.TITLES[period]}已生成 / report written: {folder / f'{name}.png'}")
        url = app.config["REPORT_WEBHOOK_URL"]
        posted = False
        if post and url:
            wecom = app.config["REPORT_WEBHOOK_FORMAT"] == "wecom"
            payload = webhook.wecom_payload(report) if wecom else webhook.generic_payload(report)
            posted = webhook.post(url, payload)
            if posted and wecom:
                webhook.post(url, webhook.wecom_image_payload(png.render(report)))
        with Session(engine) as db:
            audit.record(db, action="report_made", actor=actor, source="cli", commit=True,
                         detail=f"{period} {the_day}" + (" posted" if posted else ""))
        if post and not url:
            sys.exit("Set REPORT_WEBHOOK_URL to post the report.")
        if post and not posted:
            sys.exit("The webhook did not accept the report (see the log); nothing else changed.")
        if posted:
            click.echo("已推送 / posted")

    @app.cli.command("anonymise-expired")
    def anonymise_expired():
        """Erase personal data of customers whose last appointment is older than RETENTION_DAYS."""
        from server.audit import service as audit
        from server.bookings import privacy

        days = app.config["RETENTION_DAYS"]
        with Session(engine, expire_on_commit=False) as db:
            customers = privacy.expired_customers(db, retention_days=days)
            for i, customer in enumerate(customers, 1):
                privacy.erase_customer(db, customer=customer, reason=f"retention {days} days")
                if i % 100 == 0:
                    click.echo(f"  … {i}/{len(customers)}")
            audit.record(db, action="retention_run", detail=f"{len(customers)} customers", commit=True)
        click.echo(f"已匿名化 {len(customers)} 位客户 / anonymised {len(customers)} customers")

    @app.cli.command("backup")
    @click.argument("target")
    def backup(target):
        """Copy the SQLite database to TARGET while the app keeps running (online backup)."""
        import sqlite3

        from sqlalchemy import make_url

        url = make_url(app.config["DATABASE_URL"])
        if url.get_backend_name() != "sqlite":
            sys.exit("Online backup here is for SQLite; for PostgreSQL use pg_dump (see README).")
        source = sqlite3.connect(url.database)
        dest = sqlite3.connect(target)
        with dest:
            source.backup(dest, pages=4096, progress=lambda _status, remaining, total: click.echo(
                f"  … {total - remaining}/{total} pages"))
        dest.close()
        source.close()
        click.echo(f"备份完成 / backup written: {target}")

    @app.cli.command("deliver-notifications")
    def deliver_notifications():
        """Send due new-booking notifications now (the web processes also do it by themselves)."""
        from server.notify.service import deliver_due

        with Session(engine) as db:
            total = 0
            while (n := deliver_due(db)):
                total += n
        click.echo(f"sent {total}")

    @app.cli.command("send-reminders")
    def send_reminders():
        """Send due receipts and reminders to customers now (the web processes also do it by themselves)."""
        from server.customers.reminders import deliver_due

        with Session(engine) as db:
            total = 0
            while (n := deliver_due(db)):
                total += n
        click.echo(f"sent {total}")

    @app.cli.command("import-roster")
    @click.argument("path")
    @click.option("--apply", "do_apply", is_flag=True, help="Apply the changes (default: dry run).")
    @click.option("--max-rows", default=5000, show_default=True, help="Refuse a longer roster.")
    @click.option("--operator", "staff_no", required=True, help=OPERATOR_HELP + " Head office only.")
    def import_roster(path, do_apply, max_rows, staff_no):
        """Import the staff roster (CSV or XLSX); a dry run unless --apply; errors apply nothing.
        A branch, grid or team not yet in the system is created only where the row's 新建 column says 是."""
        from server import access
        from server.admin import roster

        with Session(engine, expire_on_commit=False) as db:
            actor = operator(db, staff_no, access.is_admin)
        try:
            rows = roster.read(path, Path(path).read_bytes(), max_rows=max_rows)
        except roster.TooManyRows:
            sys.exit(f"花名册超过 {max_rows} 行 / the roster has more than {max_rows} rows (see --max-rows)")
        with Session(engine, expire_on_commit=False) as db:
            result = roster.plan(db, rows)
            for e in result.errors:
                click.echo(f"  第 {e['line']} 行 [{e['column']}]：{e['reason']}")
            counts = result.new_org_counts
            if result.new_org:
                click.echo(f"  将新建 {roster.checks.counted(counts)}（“新建”列填“是”的行） / to create: {counts}")
            for org in result.new_org:
                click.echo(f"  新建 {org}")
            for c in result.changes:
                click.echo(f"  第 {c['line']} 行 {c['staff_no']} {c['action']}: {sorted(c['fields'])}")
            if result.errors:
                sys.exit(f"{len(result.errors)} 处错误，未做任何修改 / {len(result.errors)} errors, nothing applied")
            if not do_apply:
                click.echo(f"试运行：{len(result.changes)} 人将变更 / dry run: {len(result.changes)} changes")
                return
            n = roster.apply(db, result, actor=actor, source="cli",
                             progress=lambda i, total: click.echo(f"  … {i}/{total}"))
        click.echo(f"已导入：{n} 人变更 / imported: {n} employees changed")

    @app.cli.command("print-kit")
    @click.option("--branch", help="Branch name (all its active staff).")
    @click.option("--grid", help="Grid name.")
    @click.option("--format", "fmt", type=click.Choice(["pdf", "zip"]), default="pdf", show_default=True)
    @click.option("--operator", "staff_no", required=True, help=OPERATOR_HELP)
    @click.argument("target")
    def print_kit(branch, grid, fmt, staff_no, target):
        """Write the posters (and grid service boards) of a branch or a grid to TARGET, with progress."""
        from server import access
        from server.kits import service
        from server.models import Grid

        cfg = app.config
        with Session(engine, expire_on_commit=False) as db:
            model, name, scope = (Branch, branch, "branch") if branch else (Grid, grid, "grid")
            found = db.exec(select(model).where(model.name == name)).first() if name else None
            if found is None:
                sys.exit("Name an existing --branch or --grid.")
            actor = operator(db, staff_no, lambda e: access.may_print(
                e, scope, found.id, grid_branch=found.branch_id if scope == "grid" else None))
            employees = service.people(db, **{f"{scope}_id": found.id})
            data = service.build(db, employees, bank=cfg["BANK_NAME"], hotline=cfg["BANK_HOTLINE"],
                                 base_url=cfg["PUBLIC_BASE_URL"], fmt=fmt, dpi=cfg["PRINT_DPI"],
                                 progress=lambda done, total: click.echo(f"  … {done}/{total} 页"))
            Path(target).write_bytes(data)
            service.record_printed(db, actor=actor, scope=scope, target_id=found.id, people=len(employees),
                                   fmt=fmt, source="cli")
        click.echo(f"印刷物料已生成 / print kit written: {target} ({len(employees)} people)")
