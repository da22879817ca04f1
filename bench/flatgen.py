"""bench/flat.py's data: the bank (the demo's branches, grids, teams and products; 1,000
employees with a shop link each, written through the ORM) and 90 days of shop traffic,
generated as rows that bench/flatdb.py loads in bulk.
"""
import hashlib
import random
from bisect import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import accumulate

from sqlmodel import Session, select

from server.boards.rollups import _increments
from server.demo import (BOOKING_RATE, CITY_CHANNELS, DAY_FACTOR, GIVEN, NOTES, RETURNING_NOTES,
                         RURAL_CHANNELS, SURNAMES, customer_name, seed_org, seed_products)
from server.models import COUNTERS, FUNNEL_COUNTERS, LEVELS, Branch, DailyStat, Employee, Grid, Product, ShopLink, Team
from server.shops.service import CODE_ALPHABET

INCREMENTS: dict = {}  # (kind, status, flagged, unverified) -> [(daily?, counter, delta)]
EMPLOYEES = 1000
DAYS = 90  # bookings are spread over the last 90 Asia/Shanghai days, today included
BRANCH_SHARES = (0.20, 0.19, 0.17, 0.15, 0.15, 0.14)  # of the 1,000 employees, per demo branch
SLOT_SHARE = 0.5  # bookings that ask for a slot (else a call back; also when the calendar is full)
SHOP_SHARE = 0.9  # the rest are staff bookings on behalf of a walk-in ("网点柜台")
RETURNING = 0.15  # bookings by a customer the manager already has
EXTRA_VISITS = 1.5  # shop visits that book nothing, per booking (the demo's ratio)
FLAGGED = 0.005  # shop bookings flagged (device_burst): stored, counted only as `flagged`
SEED = 20261128
OFFSET = timedelta(hours=8)  # Asia/Shanghai has no DST: local = UTC + 8 h
HOURS = list(range(7, 23))  # when people look at their phones (server/demo.py time_on)
# Weighted draws as table look-ups (table[int(random() * len(table))]): the fill draws millions.
HOUR_TABLE = [h for h, w in zip(HOURS, [2, 4, 5, 5, 5, 4, 5, 4, 4, 4, 3, 4, 5, 5, 4, 2]) for _ in range(w)]
SLOT_DAYS_TABLE = [d for d, w in zip((1, 2, 3, 4, 5), [8, 6, 3, 2, 2]) for _ in range(w)]  # days ahead

DAILY_INDEX = {c: i for i, c in enumerate((*COUNTERS, "flagged", "unverified"))}
FUNNEL_INDEX = {c: i for i, c in enumerate(FUNNEL_COUNTERS)}
VERIFIED = 0.85  # arrivals with the customer's evidence (a check-in code; staff walk-ins: a one-time code)


# --- the bank: branches, 1,000 employees, shop links, products ----------------------------------


@dataclass
class Person:
    id: int
    branch_id: int
    link_id: int
    code: str
    track: str
    weight: float
    channels: list
    offers: list  # [(product id, code)]
    offer_cum: list


def seed_bank(db) -> list[Person]:
    """The demo's 6 branches, 21 grids, 12 teams and 22 products; 1,000 employees of our own
    (`db`: a bench/flatdb.py BenchDb)."""
    rng = random.Random(SEED)
    with db.app.app_context(), Session(db.engine, expire_on_commit=False) as s:
        seed_org(s)
        seed_products(s)
        branches = s.exec(select(Branch).order_by(Branch.id)).all()
        grids, teams = defaultdict(list), defaultdict(list)
        for g in s.exec(select(Grid).order_by(Grid.id)):
            grids[g.branch_id].append(g.id)
        for t in s.exec(select(Team).order_by(Team.id)):
            teams[t.branch_id].append(t.id)
        counts = apportion(EMPLOYEES, list(BRANCH_SHARES[:len(branches)]))
        employees, n = [], 0
        for branch, count in zip(branches, counts):
            for j in range(count):
                n += 1
                role = ("admin" if n == 1 else "branch_manager" if j == 0
                        else "grid_leader" if j <= len(grids[branch.id]) else "staff")
                employees.append(Employee(
                    staff_no=f"F{n:05d}", name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                    phone=f"1500353{n:04d}", level=rng.choices(LEVELS, weights=[2, 3, 3, 2])[0],
                    track=rng.choices(("microloan", "none", "corporate"), weights=[35, 50, 15])[0],
                    role=role, title={"branch_manager": "支行长", "grid_leader": "网格长"}.get(role, "客户经理"),
                    branch_id=branch.id, grid_id=grids[branch.id][j % len(grids[branch.id])],
                    team_id=teams[branch.id][j % 2] if rng.random() < 0.3 else None))
        s.add_all(employees)
        s.flush()
        codes: set[str] = set()
        while len(codes) < len(employees):
            codes.add("".join(rng.choice(CODE_ALPHABET) for _ in range(8)))
        links = [ShopLink(code=c, employee_id=e.id, channel="") for c, e in zip(sorted(codes), employees)]
        s.add_all(links)
        s.commit()
        rural = {b.id: b.kind == "rural" for b in branches}
        products = s.exec(select(Product).where(Product.active == True).order_by(Product.sort)).all()  # noqa: E712
        people = []
        for e, link in zip(employees, links):
            offered = [p for p in products if e.track in p.tracks.split(",")]
            weights = [(4 if rural[e.branch_id] else 0.5) if p.line == "agri" else 1 for p in offered]
            rate = BOOKING_RATE["admin" if e.role == "admin" else e.track] * rng.lognormvariate(0, 0.5)
            people.append(Person(e.id, e.branch_id, link.id, link.code, e.track, rate,
                                 RURAL_CHANNELS if rural[e.branch_id] else CITY_CHANNELS,
                                 [(p.id, p.code) for p in offered],
                                 list(accumulate(weights))))
    return people


def apportion(total: int, weights: list[float]) -> list[int]:
    """`total` split in proportion to `weights` (largest remainder): the parts sum to `total`."""
    s = sum(weights)
    raw = [total * w / s for w in weights]
    parts = [int(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)[:total - sum(parts)]:
        parts[i] += 1
    return parts


# --- the generator: bookings, customers, events and their rollups -------------------------------


def b32(n: int) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    out = ""
    while True:
        n, r = divmod(n, 32)
        out = alphabet[r] + out
        if not n:
            return out


@dataclass
class Chunk:
    customers: list = field(default_factory=list)
    bookings: list = field(default_factory=list)
    events: list = field(default_factory=list)
    notifications: list = field(default_factory=list)
    daily: dict = field(default_factory=dict)  # (day, employee) -> [branch, 7 counters, flagged, unverified]
    funnel: dict = field(default_factory=dict)  # (day, employee, product, channel) -> [branch, 4 counters]


class Generator:
    """Realistic shop traffic over the last 90 days, written as rows, never through book().

    The 90-day window ends with today (Asia/Shanghai) as a full business day, so "today" has a
    full day's rows at every size. Outcomes follow server/demo.py's `outcome` (call backs are
    called within hours, slots are kept, missed or cancelled...); steps after the end of today
    are dropped, so the newest bookings are still new or contacted, as in the demo.
    """

    def __init__(self, people: list[Person], today: date, kind: str, consent_version: str, outbox: str = ""):
        self.rng = random.Random(SEED + 1)
        self._midnights: dict[date, datetime] = {}
        self.people = people
        self.cum = list(accumulate(p.weight for p in people))
        self.today = today
        self.days = [today - timedelta(days=k) for k in range(DAYS - 1, -1, -1)]
        self.sim_now = self.midnight(today) + timedelta(hours=23)
        self.pg = kind == "postgresql"
        self.consent_version = consent_version
        self.outbox = outbox  # the channel book() queues a notification on ("" = none / no outbox)
        self.booking_index = 0  # -> reference, token: unique across phases
        self.customer_index = 0  # -> phone
        self.slots: dict[int, set] = defaultdict(set)  # employee -> taken (day ordinal, slot) pairs

    def midnight(self, day: date) -> datetime:
        """Naive UTC datetime of the local midnight starting `day`."""
        m = self._midnights.get(day)
        if m is None:
            m = self._midnights[day] = datetime(day.year, day.month, day.day) - OFFSET
        return m

    def ts(self, moment: datetime | None):
        if moment is None:
            return None
        s = moment.isoformat(" ", "microseconds")
        return s + "+00" if self.pg else s  # SQLite: what SQLAlchemy stores for UTCDateTime

    def phase(self, n: int, next_booking_id: int, next_customer_id: int, days_per_chunk: int):
        """Yield Chunks that add `n` bookings, spread over the 90 days, in day order."""
        self.next_booking_id, self.next_customer_id = next_booking_id, next_customer_id
        self.customers: dict[int, list] = defaultdict(list)  # this phase's customers, per employee
        per_day = apportion(n, [DAY_FACTOR.get(d.weekday(), 1.0) for d in self.days])
        for first in range(0, len(self.days), days_per_chunk):
            chunk = Chunk()
            for day, count in zip(self.days[first:first + days_per_chunk], per_day[first:first + days_per_chunk]):
                for person in self.rng.choices(self.people, cum_weights=self.cum, k=count):
                    self._booking(chunk, day, person)
                for person in self.rng.choices(self.people, cum_weights=self.cum, k=round(count * EXTRA_VISITS)):
                    self._visit(chunk, self._time_on(day), person, self.rng.choice(person.channels))
            yield chunk

    def _time_on(self, day: date) -> datetime:
        r = self.rng.random
        return self.midnight(day) + timedelta(seconds=HOUR_TABLE[int(r() * len(HOUR_TABLE))] * 3600 + r() * 3600)

    def _visit(self, chunk: Chunk, at: datetime, p: Person, channel: str) -> None:
        day = (at + OFFSET).date()
        chunk.events.append(("visit", self.ts(at), day.isoformat(), p.id, p.branch_id, p.link_id, None, None,
                             channel, "", 0, 0))
        self._count(chunk, day, p, 0, channel, "visit", "", False, False)

    def _count(self, chunk: Chunk, day, p: Person, product_id, channel, kind, status, flagged, unverified) -> None:
        """Add what server.boards.rollups._increments counts for one event (its very code, per
        kind of event: the increments' keys are the same for every event of a person and day)."""
        key = (kind, status, bool(flagged), bool(unverified))
        incs = INCREMENTS.get(key)
        if incs is None:
            incs = INCREMENTS[key] = [(model is DailyStat, counter, delta) for (model, counter, _, _), delta
                                      in _increments(None, 0, 0, 0, "", kind, status, flagged, unverified)]
        for daily, counter, delta in incs:
            if daily:
                row = chunk.daily.get((day, p.id))
                if row is None:
                    row = chunk.daily[(day, p.id)] = [p.branch_id] + [0] * len(DAILY_INDEX)
                row[1 + DAILY_INDEX[counter]] += delta
            else:
                fkey = (day, p.id, product_id, channel)
                frow = chunk.funnel.get(fkey)
                if frow is None:
                    frow = chunk.funnel[fkey] = [p.branch_id, 0, 0, 0, 0]
                frow[1 + FUNNEL_INDEX[counter]] += delta

    def _booking(self, chunk: Chunk, day: date, p: Person) -> None:
        rng = self.rng
        i = self.booking_index
        self.booking_index += 1
        booking_id = self.next_booking_id
        self.next_booking_id += 1
        created = self._time_on(day)
        created_s = self.ts(created)
        shop = rng.random() < SHOP_SHARE
        mine = self.customers[p.id]
        if mine and rng.random() < RETURNING:
            customer_id, name = mine[int(rng.random() * len(mine))]
            reason, note = "dedicated", rng.choice(RETURNING_NOTES)
        else:
            customer_id = self.next_customer_id
            self.next_customer_id += 1
            name = customer_name(rng)
            chunk.customers.append((customer_id, f"13{self.customer_index:09d}", name,
                                    created_s if rng.random() < 0.1 else None, p.id, created_s, created_s))
            self.customer_index += 1
            mine.append((customer_id, name))
            reason, note = "new_customer", rng.choice(NOTES)
        channel = rng.choice(p.channels) if shop else "网点柜台"
        if shop:
            self._visit(chunk, created - timedelta(minutes=1 + 5 * rng.random()), p, channel)
        product_id, _ = p.offers[bisect(p.offer_cum, rng.random() * p.offer_cum[-1])]
        slot = self._slot(day, p) if rng.random() < SLOT_SHARE else None
        flagged = shop and rng.random() < FLAGGED
        steps = [(at, status) for at, status in self._outcome(created, slot) if at <= self.sim_now]
        status, updated = steps[-1][1] if steps else "new", steps[-1][0] if steps else created
        came = next((at for at, step in steps if step == "arrived"), None)
        verified = came if came is not None and rng.random() < VERIFIED else None
        contacted = next((at for at, step in steps if step == "contacted"), None)
        chunk.bookings.append((
            booking_id, "B" + b32(i), customer_id, p.id, p.branch_id, p.link_id, product_id, channel,
            "shop" if shop else "staff", name, self.ts(slot), status, note, reason, self.consent_version,
            created_s, hashlib.sha256(f"flat-token-{i}".encode()).hexdigest(),
            "device_burst" if flagged else "", f"{rng.getrandbits(64):016x}" if shop else "",
            f"flat-{i}" if shop else None, f"{rng.getrandbits(256):064x}", created_s, self.ts(updated), "",
            self.ts(contacted), self.ts(verified), ("code" if shop else "otp") if verified else "", 0, not shop))
        day_s = day.isoformat()
        if self.outbox:  # delivered a few seconds after the booking
            sent = self.ts(created + timedelta(seconds=1 + 9 * rng.random()))
            chunk.notifications.append((booking_id, p.id, self.outbox, "sent", 1, created_s, created_s, sent))
        # server.bookings.evidence: a staff booking counts once its customer confirms (here: the one-time
        # code at the arrival, a `credit` of the booking that day); an arrival / completion with evidence
        chunk.events.append(("booking", created_s, day_s, p.id, p.branch_id, p.link_id, booking_id, product_id,
                             channel, "", int(flagged), int(not shop)))
        self._count(chunk, day, p, product_id, channel, "booking", "", flagged, not shop)
        for at, step in steps:
            at_day = (at + OFFSET).date()
            if at == verified and not shop and not flagged:
                chunk.events.append(("credit", self.ts(at), at_day.isoformat(), p.id, p.branch_id, None,
                                     booking_id, product_id, channel, "bookings", 0, 0))
                self._count(chunk, at_day, p, product_id, channel, "credit", "bookings", False, False)
            unverified = verified is None and (not shop or step in ("arrived", "completed"))
            chunk.events.append(("status", self.ts(at), at_day.isoformat(), p.id, p.branch_id, None, booking_id,
                                 product_id, channel, step, int(flagged), int(unverified)))
            self._count(chunk, at_day, p, product_id, channel, "status", step, flagged, unverified)

    def _slot(self, day: date, p: Person) -> datetime | None:
        """A free half hour 08:30-17:30, 1-5 days ahead; None (a call back) if none is found."""
        rng, taken = self.rng, self.slots[p.id]
        for _ in range(6):
            ahead = SLOT_DAYS_TABLE[int(rng.random() * len(SLOT_DAYS_TABLE))]
            key = ((day.toordinal() + ahead) << 5) | int(rng.random() * 18)
            if key not in taken:
                taken.add(key)
                return (self.midnight(day + timedelta(days=ahead))
                        + timedelta(hours=8, minutes=30 + 30 * (key & 31)))
        return None

    def _waking(self, moment: datetime) -> datetime:
        local = moment + OFFSET
        if 8 <= local.hour < 21:
            return moment
        morning = (local if local.hour < 8 else local + timedelta(days=1)).replace(hour=8, minute=0)
        return morning - OFFSET + timedelta(minutes=int(self.rng.random() * 91))

    def _outcome(self, created: datetime, slot: datetime | None) -> list:
        """server/demo.py's `outcome`, on naive UTC datetimes."""
        rng = self.rng

        def minutes(low: int, high: int) -> timedelta:
            return timedelta(minutes=low + int(rng.random() * (high - low + 1)))

        if slot is None:
            called = self._waking(created + minutes(10, 240))
            r = rng.random()
            if r < 0.1:
                return [(called, "cancelled")]
            if r < 0.5:
                return [(called, "contacted")]
            came = called + timedelta(days=1) + minutes(0, 120)
            return [(called, "contacted"), (came, "arrived"), (came + minutes(20, 60), "completed")]
        lead = (slot - created) * rng.uniform(0, 0.6)
        contacted = min(self._waking(created + lead + minutes(5, 60)), slot - timedelta(minutes=5))
        came = slot + minutes(-5, 15)
        r = rng.random()
        if r < 0.55:
            return [(contacted, "contacted"), (came, "arrived"), (came + minutes(20, 60), "completed")]
        if r < 0.65:
            return [(came, "arrived"), (came + minutes(20, 60), "completed")]
        if r < 0.77:
            return [(contacted, "contacted"), (slot + minutes(45, 90), "no_show")]
        if r < 0.87:
            return [(created + (slot - created) * rng.random(), "cancelled")]
        if r < 0.95:
            return [(contacted, "contacted"), (came, "arrived")]
        return [(contacted, "contacted")]
