"""Weekly and monthly reports (周通报 / 月通报) in the daily one's formats: every column the score is
made of (爽约 included), the formula that adds them up, and the per-capita branch PK."""
import io
import re
from datetime import date

from PIL import Image

from server.boards.service import LABELS, Weights
from server.models import DailyStat
from tests.servers import json_receiver

DAY = date(2026, 11, 18)  # a Wednesday: its week began on the 16th, its month on the 1st


def stat(bank, employee, day, **counts):
    bank.add(DailyStat(day=day, employee_id=employee.id, branch_id=employee.branch_id, **counts))


def activity(bank):
    stat(bank, bank.li, date(2026, 11, 16), bookings=4, arrived=2, completed=1, no_show=1)
    stat(bank, bank.li, date(2026, 11, 18), bookings=2, arrived=1)
    stat(bank, bank.zhao, date(2026, 11, 17), bookings=3, arrived=3, completed=2, no_show=2)
    stat(bank, bank.wang, date(2026, 11, 3), bookings=9, arrived=5, completed=4)  # this month, not this week


def tables(markdown: str) -> list[tuple[list[str], list[dict]]]:
    """Every Markdown table as (headers, rows as {header: cell})."""
    found, lines = [], markdown.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("| ") and i + 1 < len(lines) and lines[i + 1].startswith("|") and "---" in lines[i + 1]:
            headers = [h.strip() for h in line.strip("|").split("|")]
            rows = []
            for body in lines[i + 2:]:
                if not body.startswith("| "):
                    break
                rows.append(dict(zip(headers, (c.strip() for c in body.strip("|").split("|")))))
            found.append((headers, rows))
    return found


def recompute(row: dict, weights: Weights) -> float:
    return round(sum(float(row[LABELS[k]].replace(",", "")) * w for k, w in weights.values.items()), 2)


def test_the_weekly_report_shows_every_score_column_with_no_shows_and_the_formula_adds_up(app, bank, login):
    activity(bank)
    weights = Weights.parse(app.config["QUALITY_WEIGHTS"])
    r = login(bank.li).get(f"/api/boards/reports/week.md?day={DAY}")
    assert r.status_code == 200 and r.headers["Content-Disposition"].endswith('.md"')
    text = r.get_data(as_text=True)
    assert "周通报" in text and "11-16 至 11-18" in text
    (people_headers, people), (branch_headers, branches) = tables(text)
    assert "爽约" in people_headers and "爽约" in branch_headers
    assert weights.formula().replace("*", "\\*") in text or weights.formula() in text
    for row in people + branches:
        assert recompute(row, weights) == float(row["质量分"].replace(",", "")), row
    li = next(r for r in people if r["姓名"] == "李强")
    assert (li["预约"], li["爽约"]) == ("6", "1")
    assert not any(r["姓名"] == "王丽" and r["预约"] != "0" for r in people)  # her bookings were last week
    assert "支行人均 PK" in text and branch_headers[:3] == ["名次", "支行", "在岗人数"]
    rural = next(r for r in branches if r["支行"] == "平定支行")
    assert float(rural["人均"]) == round(float(rural["质量分"]) / int(rural["在岗人数"]), 1)


def test_the_monthly_report_counts_the_whole_month_and_is_a_poster_too(app, bank, login):
    activity(bank)
    c = login(bank.wang)
    text = c.get(f"/api/boards/reports/month.md?day={DAY}").get_data(as_text=True)
    assert "月通报" in text and "11-01 至 11-18" in text
    (_, people), _ = tables(text)
    assert next(r for r in people if r["姓名"] == "王丽")["预约"] == "9"
    day = c.get(f"/api/boards/reports/day.png?day={DAY}")
    month = c.get(f"/api/boards/reports/month.png?day={DAY}")
    assert month.status_code == 200 and month.mimetype == "image/png"
    with Image.open(io.BytesIO(month.data)) as poster, Image.open(io.BytesIO(day.data)) as daily:
        assert poster.size[0] == 1080 and poster.size[1] > daily.size[1]  # the branch section is drawn


def test_a_branch_report_is_for_ones_own_branch_unless_head_office(bank, login):
    activity(bank)
    boss = login(bank.boss).get(f"/api/boards/reports/week.md?day={DAY}&branch_id={bank.rural.id}")
    text = boss.get_data(as_text=True)
    assert boss.status_code == 200 and "平定支行" in text.splitlines()[0]
    (_, people), (_, branches) = tables(text)
    assert "赵敏" not in {r["姓名"] for r in people} and [b["支行"] for b in branches] == ["平定支行"]
    assert login(bank.boss).get(f"/api/boards/reports/week.md?branch_id={bank.city.id}").status_code == 403
    assert login(bank.admin).get(f"/api/boards/reports/week.md?branch_id={bank.city.id}").status_code == 200
    assert login(bank.li).get("/api/boards/reports/year.md").status_code == 404
    assert login(bank.li).get("/api/boards/reports/week.md?day=tomorrow").status_code == 422


def test_the_report_command_writes_and_posts_the_monthly_report_with_its_branch_section(app, bank, tmp_path):
    activity(bank)
    runner = app.test_cli_runner()
    with json_receiver() as (url, received):
        app.config.update(REPORT_WEBHOOK_URL=url, REPORT_WEBHOOK_FORMAT="wecom")
        result = runner.invoke(args=["report", "--period", "month", "--day", str(DAY), "--out", str(tmp_path), "--post",
                                     "--operator", bank.admin.staff_no])
    assert result.exit_code == 0, result.output
    assert (tmp_path / f"month-{DAY}.png").exists()
    assert "支行人均 PK" in (tmp_path / f"month-{DAY}.md").read_text(encoding="utf-8")
    wecom = received[0]["markdown"]["content"]
    assert "支行人均 PK" in wecom and "爽约" in wecom and len(wecom.encode()) <= 4096
    assert received[1]["msgtype"] == "image"
    admin = ["--operator", bank.admin.staff_no]
    weekly = runner.invoke(args=["report", "--period", "week", "--day", str(DAY), "--out", str(tmp_path), *admin])
    assert weekly.exit_code == 0 and (tmp_path / f"week-{DAY}.md").exists()
    daily = runner.invoke(args=["daily-report", "--day", str(DAY), "--out", str(tmp_path), *admin])
    assert daily.exit_code == 0 and re.search("爽约", (tmp_path / f"{DAY}.md").read_text(encoding="utf-8"))
