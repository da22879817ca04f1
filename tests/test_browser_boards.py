"""The judgement where people look, in headless Chromium: the 看板 on a phone (a staff member,
a branch head) and the wall on a 1920×1080 TV show the quality score with its formula and
columns, per-capita branch PK, a cohort board, a funnel and a daily trend; every printed score
recomputes from the printed formula and columns; the wall turns to its next panel by itself.
Screenshots go to /tmp/surfaces-*.png."""
import re
from datetime import datetime, time, timedelta, timezone

import pytest
from playwright.sync_api import expect

from server.boards import rollups
from server.boards.service import Weights
from server.clock import TZ
from tests.test_browser_staff import log_in, open_page

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
TV = {"viewport": {"width": 1920, "height": 1080}}
LABELS = {"访问": "visits", "预约": "bookings", "到店": "arrived", "办结": "completed", "爽约": "no_show",
          "Visits": "visits", "Bookings": "bookings", "Arrived": "arrived", "Completed": "completed",
          "No-shows": "no_show"}
# The printed formula carries the sign of each weight once Weights.formula() writes it.
SIGNED = "−" in Weights.parse("bookings:1,no_show:-2").formula()


def did(db, bank, employee, day, counts: dict, branch=None):
    """Counted activity for `employee` on `day` (Asia/Shanghai noon): visits, bookings, moves."""
    at = datetime.combine(day, time(12), TZ).astimezone(timezone.utc)
    for key, n in counts.items():
        kind, status = {"visits": ("visit", ""), "bookings": ("booking", "")}.get(key, ("status", key))
        for _ in range(n):
            rollups.record(db, rollups.now_event(kind, at, employee_id=employee.id,
                                                 branch_id=(branch or bank.rural).id, status=status))
    db.commit()


@pytest.fixture
def busy(app, bank, db):
    """A week of results: 王丽 and 李强 (平定支行, 微贷类), 赵敏 (城区支行), one no-show.
    Visits are reach, not score (anyone can send one): they show apart from the score's columns."""
    app.config["QUALITY_WEIGHTS"] = "bookings:1,arrived:3,completed:5,no_show:-2"
    today = datetime.now(TZ).date()
    did(db, bank, bank.wang, today, {"visits": 6, "bookings": 4, "arrived": 3, "completed": 2})
    did(db, bank, bank.li, today, {"visits": 3, "bookings": 3, "arrived": 1, "no_show": 1})
    did(db, bank, bank.zhao, today, {"visits": 2, "bookings": 2, "arrived": 2, "completed": 2}, bank.city)
    for back, n in ((1, 2), (2, 1), (4, 3)):
        did(db, bank, bank.li, today - timedelta(days=back), {"bookings": n, "arrived": 1})
        did(db, bank, bank.wang, today - timedelta(days=back), {"bookings": n + 1, "completed": 1})
    return bank


@pytest.fixture
def context(browser):
    made = []

    def _make(**kw):
        made.append(browser.new_context(locale="zh-CN", **kw))
        return made[-1]
    yield _make
    for c in made:
        c.close()


def parse_formula(text: str) -> dict[str, float]:
    """'质量分 = 预约×1 + 到店×3 + 办结×5 − 爽约×2' → {bookings: 1, ..., no_show: -2}."""
    terms = text.split("=", 1)[1]
    weights = {}
    for sign, label, weight in re.findall(r"([+−-]?)\s*([^\s×+−=-]+)\s*×\s*([\d.]+)", terms):
        weights[LABELS[label]] = -float(weight) if sign in ("−", "-") else float(weight)
    assert weights, text
    return weights


def printed_rows(page) -> list[dict]:
    """Every row of every score table on the page, as {column key: printed number}."""
    return page.evaluate("""() => [...document.querySelectorAll('table.score-table tbody tr')].map(tr =>
        Object.fromEntries([...tr.querySelectorAll('td[data-key]')].map(td => [td.dataset.key, td.textContent.trim()])))""")


def assert_scores_recompute(page) -> int:
    weights = parse_formula(page.get_by_test_id("formula-text").first.inner_text())
    rows = printed_rows(page)
    assert rows
    for row in rows:
        expected = sum(float(row[k]) * w for k, w in weights.items())
        assert abs(float(row["score"]) - expected) < 0.011, (row, weights)
        if "score_per_capita" in row:  # branch rows: per capita = score ÷ active members
            per = float(row["score"]) / int(row["members"]) if int(row["members"]) else 0
            assert abs(float(row["score_per_capita"]) - per) < 0.011, row
    return len(rows)


def open_board(context, live_server, employee, lang="zh-CN"):
    ctx = context(**PHONE)
    log_in(ctx, live_server, employee)
    if lang == "en":
        ctx.add_init_script("localStorage.setItem('yryd.lang', 'en')")
    page = open_page(ctx, f"{live_server}/staff#board")
    expect(page.get_by_test_id("board")).to_be_visible()
    return page


def assert_judgement_is_shown(page, bank):
    expect(page.get_by_test_id("formula").first).to_be_visible()
    expect(page.get_by_test_id("score-table")).to_be_visible()
    pk = page.get_by_test_id(f"pk-{bank.rural.id}")
    expect(pk).to_be_visible()
    expect(pk.locator("svg.bar rect:not(.bar-track)")).to_have_count(1)  # a drawn bar
    expect(pk).to_contain_text("3 ")  # 平定支行: 王丽, 李强, 张支行长 in post
    expect(page.get_by_test_id("cohort-table")).to_be_visible()
    expect(page.get_by_test_id("funnel").first).to_be_visible()
    chart = page.get_by_test_id("trend-chart")
    expect(chart).to_be_visible()
    assert int(chart.get_attribute("data-points")) >= 7 and chart.locator("rect").count() >= 2


def assert_fits(page, width):
    """Nothing wider than the screen: no sideways scrolling on a phone or a TV."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_staff_members_board_shows_their_score_its_formula_pk_cohort_funnel_and_trend(
        context, live_server, busy):
    page = open_board(context, live_server, busy.li)
    mine = page.get_by_test_id("my-score")
    expect(mine).to_be_visible()
    expect(page.get_by_test_id("emp-%d" % busy.li.id).first).to_have_class(re.compile("mine"))
    assert_judgement_is_shown(page, busy)
    expect(page.get_by_test_id("cohort-table").get_by_test_id(f"cohort-{busy.zhao.id}")).to_have_count(0)  # corporate
    expect(page.get_by_test_id("cohort-table").get_by_test_id(f"cohort-{busy.wang.id}")).to_have_count(0)  # senior
    expect(page.get_by_test_id("funnel").get_by_test_id("bookings")).to_have_text("3")  # li's own funnel
    expect(page.get_by_test_id("change-score")).to_be_visible()
    reach = page.get_by_test_id("score-table").locator('th.reach[data-key="visits"]')
    expect(reach).to_have_text("触达")
    expect(page.get_by_test_id("score-table").get_by_test_id(f"emp-{busy.wang.id}").locator("td.reach")).to_have_text("6")
    assert_fits(page, 390)
    page.screenshot(path="/tmp/surfaces-board-staff.png", full_page=True)

    page.get_by_test_id("period-month").click()
    expect(page.get_by_test_id("period-month")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("my-score")).to_be_visible()
    page.get_by_test_id("funnel-channel").click()
    expect(page.get_by_test_id("funnel-only")).to_have_text("个人微店")


def test_a_branch_head_sees_their_branchs_people_and_the_branch_funnel(context, live_server, busy):
    page = open_board(context, live_server, busy.boss)
    assert_judgement_is_shown(page, busy)
    people = page.get_by_test_id("score-table")
    expect(people.get_by_test_id(f"emp-{busy.wang.id}")).to_be_visible()
    expect(people.get_by_test_id(f"emp-{busy.zhao.id}")).to_have_count(0)  # another branch
    expect(people.get_by_test_id(f"emp-{busy.wang.id}").get_by_test_id("bookings")).to_have_text("4")
    expect(page.get_by_test_id(f"funnel-{busy.wang.id}")).to_be_visible()  # by employee: the branch's
    expect(page.get_by_test_id(f"funnel-{busy.zhao.id}")).to_have_count(0)
    assert_fits(page, 390)
    page.screenshot(path="/tmp/surfaces-board-head.png", full_page=True)
    page.get_by_test_id("funnel-branch").click()
    expect(page.get_by_test_id("funnel").get_by_test_id("bookings")).to_have_text("7")  # 4 + 3 today: the branch's people only


@pytest.mark.skipif(not SIGNED, reason="the printed formula needs the signs from Weights.formula()")
def test_every_printed_score_on_the_board_and_the_wall_recomputes_from_the_printed_formula(
        context, live_server, busy):
    for who in (busy.li, busy.boss):
        page = open_board(context, live_server, who)
        expect(page.get_by_test_id("pk-table")).to_be_attached()
        expect(page.get_by_test_id("cohort-table")).to_be_visible()
        assert assert_scores_recompute(page) >= 6
    tv = context(**TV)
    log_in(tv, live_server, busy.boss)
    wall = open_page(tv, f"{live_server}/wall")
    expect(wall.get_by_test_id(f"wall-emp-{busy.wang.id}")).to_be_visible()
    expect(wall.get_by_test_id("cohort-trainee")).to_be_attached()
    assert assert_scores_recompute(wall) >= 4


def test_the_board_speaks_english_without_chinese_labels(context, live_server, busy):
    page = open_board(context, live_server, busy.li, lang="en")
    assert_judgement_is_shown(page, busy)
    expect(page.get_by_test_id("formula-text")).to_contain_text(re.compile("bookings", re.I))
    chrome = ", ".join(f".board {sel}" for sel in ("h1", "h2", "th[scope=col]", "button", ".funnel-lbl", ".formula",
                                                  ".trend-vs", ".chg", ".my-score-head", "summary", ".empty"))
    labels = page.evaluate("(sel) => [...document.querySelectorAll(sel)].map(e => e.textContent)", chrome)
    assert not [text for text in labels if re.search(r"[\u4e00-\u9fff]", text)]
    assert_fits(page, 390)
    page.screenshot(path="/tmp/surfaces-board-en.png", full_page=True)


def test_the_wall_shows_the_judgement_and_turns_to_its_next_panel_by_itself(context, live_server, busy):
    tv = context(**TV)
    log_in(tv, live_server, busy.boss)
    wall = open_page(tv, f"{live_server}/wall?rotate=1")
    stage = wall.get_by_test_id("wall-stage")
    expect(wall.get_by_test_id("formula")).to_be_visible()
    expect(wall.get_by_test_id(f"wall-emp-{busy.wang.id}").get_by_test_id("score")).to_be_visible()
    expect(wall.get_by_test_id(f"pk-{busy.rural.id}")).to_be_visible()
    wall.screenshot(path="/tmp/surfaces-wall-1.png")
    # Every panel with something in it comes round, nobody touching anything. The page records
    # each turn itself, so a slow screenshot cannot hide one.
    wall.evaluate("""() => { window.__seen = [document.querySelector('[data-testid=wall-stage]').dataset.active];
      new MutationObserver(() => window.__seen.push(document.querySelector('[data-testid=wall-stage]').dataset.active))
        .observe(document.querySelector('[data-testid=wall-stage]'), {attributes: true, attributeFilter: ['data-active']}); }""")
    for _ in range(8):
        current = stage.get_attribute("data-active")
        expect(stage).not_to_have_attribute("data-active", current, timeout=3000)
        active = stage.get_attribute("data-active")
        if active in ("funnel", "trend", "cohort-a"):
            wall.screenshot(path=f"/tmp/surfaces-wall-{active}.png")
        if {"pk", "cohort-a", "funnel", "trend"} <= set(wall.evaluate("window.__seen")):
            break
    seen = set(wall.evaluate("window.__seen"))
    assert {"pk", "cohort-a", "funnel", "trend"} <= seen
    assert "targets" not in seen  # an empty place is skipped
    assert wall.loads == [1]
    assert_fits(wall, 1920)


def test_the_wall_stays_on_a_panel_while_a_pointer_rests_on_it(context, live_server, busy):
    tv = context(**TV)
    log_in(tv, live_server, busy.boss)
    wall = open_page(tv, f"{live_server}/wall?rotate=0.5")
    stage = wall.get_by_test_id("wall-stage")
    expect(wall.get_by_test_id(f"pk-{busy.rural.id}")).to_be_attached()
    stage.hover()
    held = stage.get_attribute("data-active")
    wall.wait_for_timeout(1500)  # three turns' time
    assert stage.get_attribute("data-active") == held
    wall.mouse.move(5, 5)
    expect(stage).not_to_have_attribute("data-active", held, timeout=3000)


def test_the_board_and_the_wall_have_no_serious_accessibility_violations(browser, live_server, busy):
    from axe_playwright_python.sync_playwright import Axe

    from tests.test_browser_staff import serious

    axe = Axe()
    # bypass_csp: axe-core is injected as a script, which the pages' CSP would refuse.
    phone = browser.new_context(locale="zh-CN", bypass_csp=True, **PHONE)
    tv = browser.new_context(locale="zh-CN", bypass_csp=True, **TV)
    try:
        log_in(phone, live_server, busy.boss)
        board = open_page(phone, f"{live_server}/staff#board")
        expect(board.get_by_test_id("trend-chart")).to_be_visible()
        expect(board.get_by_test_id("cohort-table")).to_be_visible()
        assert serious(axe.run(board)) == []

        log_in(tv, live_server, busy.boss)
        wall = open_page(tv, f"{live_server}/wall?rotate=600")
        expect(wall.get_by_test_id(f"pk-{busy.rural.id}")).to_be_visible()
        assert serious(axe.run(wall)) == []
    finally:
        phone.close()
        tv.close()
