"""The printed pages: one employee's A4 poster and a grid's service board (网格服务公示牌).

Layouts are designed in pixels at 300 dpi (see `qr.sheet`); each function returns the
`Sheet` it drew, so callers get the image and tests also get what was printed where.
"""

import math

from .person import Person
from .sheet import (GOLD, GREEN, GREEN_DARK, INK, MINT, MUTED, PALE, WHITE, Sheet, areas_text,
                    paste_avatar, paste_qr, pill, wrap)

HEADLINE = "扫码预约 · 专属客户经理"
CHANNEL_LABEL = "渠道："
INVITATION = "微信扫一扫，在线预约，专人服务"
BOARD_TITLE = "网格服务公示牌"
BOARD_NOTE = "扫描客户经理的二维码，即可在线预约，专人为您服务"
PRIVACY_NOTE = "为保护个人隐私，本牌不公示手机号码，请扫码预约或拨打服务热线"
MAX_BOARD_PEOPLE = 12  # three rows of four: below that a code would print under 3 cm


def draw_poster(person: Person, *, bank: str, hotline: str, dpi: int = 300) -> Sheet:
    """One employee's A4 portrait poster: header, big code, who they are, the hotline."""
    sheet = Sheet.a4(dpi)
    w, h = sheet.image.size
    px = sheet.px
    _band(sheet, 0, px(480))
    sheet.text((w // 2, px(170)), *sheet.fitted(bank, 124, w - px(320), bold=True), WHITE,
               anchor="mm", name="bank")
    if person.channel:  # which poster this is: its staff tell their codes apart by it
        label, font = sheet.fitted(f"{CHANNEL_LABEL}{person.channel}", 64, w - px(520), bold=True)
        pill(sheet, (w // 2, px(350)), label, font, centred=True, fill=GOLD, colour=GREEN_DARK)
        sheet.boxes["channel"] = sheet.printed[-1].box
    else:
        sheet.text((w // 2, px(340)), "一人一店 · 金融微店", sheet.font(64), MINT, anchor="mm")
    sheet.text((w // 2, px(650)), HEADLINE, sheet.font(148, bold=True), GREEN, anchor="mm",
               name="headline")
    # The code: 1 300 px (11 cm) quiet zone included, in a green frame kept clear of it.
    frame = (w // 2 - px(700), px(790), w // 2 + px(700), px(2190))
    sheet.draw.rounded_rectangle(frame, radius=px(60), outline=GREEN, width=px(12))
    paste_qr(sheet, person.url, (w // 2, (frame[1] + frame[3]) // 2), px(1300), "qr")
    sheet.text((w // 2, px(2300)), INVITATION, sheet.font(78), INK, anchor="mm")
    _person_card(sheet, person, (px(150), px(2420), w - px(150), px(3070)))
    _poster_footer(sheet, bank, hotline, h)
    return sheet


def _band(sheet: Sheet, top: int, bottom: int) -> None:
    """A bank-green band across the page with a thin gold rule under it."""
    w = sheet.image.width
    sheet.draw.rectangle((0, top, w, bottom), fill=GREEN)
    sheet.draw.rectangle((0, bottom, w, bottom + sheet.px(14)), fill=GOLD)


def _person_card(sheet: Sheet, person: Person, box) -> None:
    """Avatar on the left; name, level, branch and grid on the right."""
    px = sheet.px
    x0, y0, x1, y1 = box
    sheet.draw.rounded_rectangle(box, radius=px(48), fill=PALE)
    diameter = px(440)
    paste_avatar(sheet, person, (x0 + px(60) + diameter // 2, (y0 + y1) // 2), diameter, px(14))
    left = x0 + px(60) + diameter + px(80)
    width = x1 - px(60) - left
    name, font = sheet.fitted(person.name, 150, width, bold=True, smallest=90)
    sheet.text((left, y0 + px(195)), name, font, INK, anchor="ls", name="name")
    level, font = sheet.fitted(person.level_label, 56, width - px(80), bold=True)
    pill(sheet, (left, y0 + px(290)), level, font)
    branch, font = sheet.fitted(person.branch, 66, width)
    sheet.text((left, y0 + px(430)), branch, font, INK, anchor="ls", name="branch")
    grid = f"服务网格：{person.grid}"
    areas = areas_text(person.grid_areas)
    if areas:
        grid += f"（{areas}）"
    for i, line in enumerate(wrap(grid, sheet.font(52), width, 2)):
        sheet.text((left, y0 + px(520 + i * 68)), line, sheet.font(52), MUTED, anchor="ls")


def _poster_footer(sheet: Sheet, bank: str, hotline: str, h: int) -> None:
    """The service hotline on a green band at the foot of the page."""
    w, px = sheet.image.width, sheet.px
    top = h - px(330)
    sheet.draw.rectangle((0, top - px(14), w, top), fill=GOLD)
    sheet.draw.rectangle((0, top, w, h), fill=GREEN)
    if hotline:
        sheet.text((w // 2, top + px(130)), f"服务热线  {hotline}", sheet.font(104, bold=True),
                   WHITE, anchor="mm", name="hotline", private=False)
    sheet.text((w // 2, top + px(250)), f"{bank} · 一人一店", sheet.font(48), MINT,
               anchor="mm")


def check_board(grid_name: str, people: list[Person]) -> None:
    """Refuse a board page with nobody on it, or with more people than fit legibly (a kit
    splits a larger grid's board over several pages: board_pages)."""
    if not people:
        raise ValueError(f"{grid_name}: 公示牌上至少要有一名客户经理 / a board needs someone")
    if len(people) > MAX_BOARD_PEOPLE:
        raise ValueError(f"{grid_name}: 一块公示牌最多 {MAX_BOARD_PEOPLE} 人，实有 {len(people)} 人"
                         f" / at most {MAX_BOARD_PEOPLE} people fit on one board")


def board_pages(people: list[Person]) -> list[list[Person]]:
    """A grid's people split over as few board pages as hold them all, evenly (13 → 7 + 6):
    nobody is left off a board for lack of room."""
    count = max(math.ceil(len(people) / MAX_BOARD_PEOPLE), 1)
    size, extra = divmod(len(people), count)
    pages, start = [], 0
    for i in range(count):
        end = start + size + (i < extra)
        pages.append(people[start:end])
        start = end
    return pages


def draw_board(grid_name: str, areas, people: list[Person], *, bank: str, hotline: str,
               dpi: int = 300, page: int = 1, pages: int = 1) -> Sheet:
    """A grid's A4 landscape service board: the area covered and a card per employee; page
    `page` of `pages` when the grid's people take more than one."""
    check_board(grid_name, people)
    sheet = Sheet.a4(dpi, landscape=True)
    w, h = sheet.image.size
    px = sheet.px
    _band(sheet, 0, px(360))
    sheet.text((px(140), px(180)), BOARD_TITLE, sheet.font(132, bold=True), WHITE, anchor="lm",
               name="title")
    sheet.text((w - px(140), px(180)), *sheet.fitted(bank, 84, px(1500), bold=True), WHITE,
               anchor="rm", name="bank")
    more = f"（第 {page} 页，共 {pages} 页）" if pages > 1 else ""
    name, font = sheet.fitted(grid_name + more, 108, w - px(280), bold=True)
    sheet.text((px(140), px(560)), name, font, GREEN_DARK, anchor="ls", name="grid")
    font, label = sheet.font(58), "服务范围："
    indent = round(font.getlength(label))
    sheet.text((px(140), px(660)), label, font, MUTED, anchor="ls")
    for i, line in enumerate(wrap(areas_text(areas) or "—", font, w - px(280) - indent, 2)):
        sheet.text((px(140) + indent, px(660 + i * 80)), line, font, INK, anchor="ls")
    top, bottom = px(820), h - px(330)
    _cards(sheet, people, (px(140), top, w - px(140), bottom))
    _board_footer(sheet, hotline, h)
    return sheet


def _cards(sheet: Sheet, people: list[Person], box) -> None:
    """People in rows of at most four, each on a card that is as large as the room allows."""
    x0, y0, x1, y1 = box
    gap = sheet.px(50)
    rows = math.ceil(len(people) / 4)
    cols = math.ceil(len(people) / rows)
    width = (x1 - x0 - gap * (cols - 1)) // cols
    height = (y1 - y0 - gap * (rows - 1)) // rows
    for i, person in enumerate(people):
        row, col = divmod(i, cols)
        left, top = x0 + col * (width + gap), y0 + row * (height + gap)
        card = (left, top, left + width, top + height)
        sheet.draw.rounded_rectangle(card, radius=sheet.px(36), fill=PALE)
        if height > width:
            _tall_card(sheet, person, card, i)
        else:
            _wide_card(sheet, person, card, i)


def _tall_card(sheet: Sheet, person: Person, card, i: int) -> None:
    """Portrait card: avatar and who they are on top, the code below."""
    x0, y0, x1, y1 = card
    px, cx = sheet.px, (x0 + x1) // 2
    d = px(220)
    paste_avatar(sheet, person, (cx, y0 + px(50) + d // 2), d, px(10), f"avatar-{i}")
    y = _identity(sheet, person, cx, y0 + px(50) + d + px(40), x1 - x0 - px(60), 1.0)
    size = min(x1 - x0 - px(60), y1 - px(110) - y)
    paste_qr(sheet, person.url, (cx, y + size // 2), size, f"qr-{i}")
    sheet.text((cx, y1 - px(50)), "扫码预约", sheet.font(44, bold=True), GREEN, anchor="mm")


def _wide_card(sheet: Sheet, person: Person, card, i: int) -> None:
    """Landscape card: who they are on the left, the code on the right."""
    x0, y0, x1, y1 = card
    px = sheet.px
    pad = px(36)
    scale = max(0.7, min(2.0, (y1 - y0) / px(640)))
    caption = sheet.font(40 * min(scale, 1.4), bold=True)
    size = min(y1 - y0 - 2 * pad - caption.size - px(12), int((x1 - x0) * 0.45))
    qr_cx = x1 - pad - size // 2
    paste_qr(sheet, person.url, (qr_cx, y0 + pad + size // 2), size, f"qr-{i}")
    sheet.text((qr_cx, y1 - pad), "扫码预约", caption, GREEN, anchor="md")
    left, right = x0 + pad, qr_cx - size // 2 - pad // 2
    cx = (left + right) // 2
    d, gap = round(px(200) * scale), px(36 * scale)
    text_height = px(250 * scale)
    if y1 - y0 - 2 * pad >= d + gap + text_height:
        top = (y0 + y1 - d - gap - text_height) // 2
        paste_avatar(sheet, person, (cx, top + d // 2), d, px(8), f"avatar-{i}")
        _identity(sheet, person, cx, top + d + gap, right - left, scale)
    else:
        _identity(sheet, person, cx, (y0 + y1 - text_height) // 2, right - left, scale)


def _identity(sheet: Sheet, person: Person, cx: int, y: int, width: int, scale: float) -> int:
    """Name, level (as a pill) and branch centred on `cx` from `y` down; returns the y below."""
    px = sheet.px
    name, font = sheet.fitted(person.name, 84 * scale, width, bold=True)
    sheet.text((cx, y), name, font, INK, anchor="mt")
    y += px(110 * scale)
    level, font = sheet.fitted(person.level_label, 40 * scale, width - px(70 * scale), bold=True)
    pill(sheet, (cx, y + px(30 * scale)), level, font, centred=True)
    y += px(80 * scale)
    branch, font = sheet.fitted(person.branch, 44 * scale, width)
    sheet.text((cx, y), branch, font, MUTED, anchor="mt")
    return y + px(60 * scale)


def _board_footer(sheet: Sheet, hotline: str, h: int) -> None:
    """The hotline and the privacy note on a green band at the foot of the board."""
    w, px = sheet.image.width, sheet.px
    top = h - px(250)
    sheet.draw.rectangle((0, top - px(12), w, top), fill=GOLD)
    sheet.draw.rectangle((0, top, w, h), fill=GREEN)
    if hotline:
        sheet.text((px(140), top + px(125)), f"服务热线  {hotline}", sheet.font(92, bold=True),
                   WHITE, anchor="lm", name="hotline", private=False)
    sheet.text((w - px(140), top + px(85)), BOARD_NOTE, sheet.font(46), WHITE, anchor="rm")
    sheet.text((w - px(140), top + px(170)), PRIVACY_NOTE, sheet.font(40), MINT, anchor="rm")
