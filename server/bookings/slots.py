"""Appointment slots: an employee's hours (branch hours by default) cut into fixed slots,
in Asia/Shanghai."""
import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import bindparam
from sqlmodel import Session, select

from server.cache import catalog_value
from server.clock import TZ, local, to_utc
from server.models import ACTIVE_STATUSES, Availability, Booking, Employee

# Default branch hours, by weekday (Monday = 0); Sunday closed.
WEEKDAY_HOURS = [(time(9, 0), time(12, 0)), (time(13, 30), time(17, 0))]
OPENING_HOURS = {0: WEEKDAY_HOURS, 1: WEEKDAY_HOURS, 2: WEEKDAY_HOURS, 3: WEEKDAY_HOURS,
                 4: WEEKDAY_HOURS, 5: [(time(9, 0), time(12, 0))], 6: []}


@dataclass(frozen=True)
class Schedule:
    """When someone takes appointments: hours per weekday and whole days off."""

    hours: dict = field(default_factory=lambda: OPENING_HOURS)
    days_off: frozenset = frozenset()

    def to_json(self) -> dict:
        return {"weekly": {str(d): [[a.strftime("%H:%M"), b.strftime("%H:%M")] for a, b in ranges]
                           for d, ranges in sorted(self.hours.items())},
                "days_off": sorted(d.isoformat() for d in self.days_off)}

    @classmethod
    def from_json(cls, weekly: dict, days_off: list) -> "Schedule":
        hours = {int(d): [(time.fromisoformat(a), time.fromisoformat(b)) for a, b in ranges]
                 for d, ranges in weekly.items()}
        return cls(hours=hours, days_off=frozenset(date.fromisoformat(d) for d in days_off))


def schedule_for(db: Session, employee: Employee) -> Schedule:
    """The employee's own schedule, or the branch hours if they never set one. Kept per worker
    with the catalog (a query and JSON for every slot booking, in its write transaction); one
    shared object: read it, never change it."""
    def build() -> Schedule:
        row = db.get(Availability, employee.id)
        if row is None:
            return Schedule()
        return Schedule.from_json(json.loads(row.weekly), json.loads(row.days_off))

    return catalog_value(db, ("schedule", employee.id), build)


class SlotRules:
    def __init__(self, *, minutes: int = 30, lead_minutes: int = 60, horizon_days: int = 14):
        self.minutes = minutes
        self.lead = timedelta(minutes=lead_minutes)
        self.horizon_days = horizon_days

    def starts_on(self, day: date, schedule: Schedule) -> list[datetime]:
        """Every slot start on `day`, as aware Asia/Shanghai times."""
        if day in schedule.days_off:
            return []
        starts = []
        for opens, closes in schedule.hours.get(day.weekday(), []):
            t = datetime.combine(day, opens, TZ)
            end = datetime.combine(day, closes, TZ)
            while t + timedelta(minutes=self.minutes) <= end:
                starts.append(t)
                t += timedelta(minutes=self.minutes)
        return starts

    def window(self, now: datetime) -> tuple[datetime, date]:
        """Earliest bookable start and the last bookable day, from `now`."""
        return now + self.lead, local(now).date() + timedelta(days=self.horizon_days - 1)

    def is_slot(self, start: datetime, now: datetime, schedule: Schedule) -> bool:
        """Is `start` a real slot of `schedule` inside the booking window?"""
        earliest, last_day = self.window(now)
        day = local(start).date()
        return (start >= earliest and day <= last_day
                and start in {to_utc(s) for s in self.starts_on(day, schedule)})


def taken(db: Session, employee: Employee, start: datetime, end: datetime) -> set[datetime]:
    return set(db.execute(_TAKEN, {"employee": employee.id, "start": start, "end": end}).scalars())


# Built once: every slot booking runs it in its write transaction, every slot list too.
_TAKEN = select(Booking.slot_start).where(
    Booking.employee_id == bindparam("employee"), Booking.slot_start >= bindparam("start"),
    Booking.slot_start < bindparam("end"), Booking.status.in_(ACTIVE_STATUSES))


def open_slots(db: Session, *, employee: Employee, rules: SlotRules, now: datetime,
               pick=None) -> list[dict]:
    """Open slots, grouped by day: [{date, slots: [{start, label}]}]; `pick(day)` may name
    someone else to take that day's appointments (a delegate)."""
    earliest, last_day = rules.window(now)
    first_day = local(earliest).date()
    until = to_utc(datetime.combine(last_day + timedelta(days=1), time(0), TZ))
    known: dict[int, tuple[Schedule, set]] = {}
    days = []
    for offset in range((last_day - first_day).days + 1):
        day = first_day + timedelta(days=offset)
        who = pick(day) if pick else employee
        if who.id not in known:
            known[who.id] = (schedule_for(db, who), taken(db, who, earliest, until))
        schedule, busy = known[who.id]
        slots = [{"start": s, "label": s.strftime("%H:%M")}
                 for s in rules.starts_on(day, schedule)
                 if to_utc(s) >= earliest and to_utc(s) not in busy]
        if slots:
            days.append({"date": day, "slots": slots})
    return days


def next_free(db: Session, *, employee: Employee, rules: SlotRules, now: datetime,
              limit: int = 6, near: datetime | None = None) -> list[dict]:
    """A few open slots, offered when the chosen one was just taken: those nearest `near`
    (the same day first), else the earliest; in time order."""
    flat = [s for d in open_slots(db, employee=employee, rules=rules, now=now) for s in d["slots"]]
    if near is not None:
        day = local(near).date()
        flat = sorted(flat, key=lambda s: (s["start"].date() != day, abs(to_utc(s["start"]) - near)))[:limit]
        return sorted(flat, key=lambda s: s["start"])
    return flat[:limit]
