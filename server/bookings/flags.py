"""Anti-gaming: bookings that look made to climb the rankings are kept, flagged, and left out.

- staff_phone: the customer's number is an employee's (their own or a colleague's);
- repeat_phone: the same number already booked earlier that (Asia/Shanghai) day;
- device_burst: several shop bookings from one phone (app id) within a few minutes;
- device_many: more shop bookings from one phone in a day than one customer makes;
- fast_complete: completed within minutes of being made (raised at completion);
- walkin_outlier: one person's walk-ins far above their branch's median over 30 days (raised
  when the walk-in's customer confirms it, i.e. when it would start to count).
Flags are reviewed by the branch head or head office (server/boards/flagged.py): confirmed, the
booking stays out; cleared, it counts from then on.
"""
import hashlib
from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy import bindparam
from sqlmodel import Session, func, select

from server.cache import catalog_value
from server.clock import TZ, local_day, to_utc
from server.models import Booking, Employee

REASONS = {"staff_phone": "使用员工本人或同事的手机号预约",
           "repeat_phone": "同一手机号当天重复预约",
           "device_burst": "同一设备短时间内多次预约",
           "device_many": "同一设备当天预约次数过多",
           "fast_complete": "预约后几分钟内即登记办结",
           "walkin_outlier": "本人近 30 天代客预约数远高于本支行中位数"}


def device_hash(device_id: str) -> str:
    """A short, one-way id for the phone that sent the booking ("" if none was sent)."""
    return hashlib.sha256(device_id.encode()).hexdigest()[:16] if device_id else ""


def flag_for(db: Session, *, phone: str, today: int, device: str, source: str, now: datetime) -> str:
    """The reason this new booking should not count in rankings, or "" (`today`: the bookings
    its number already made today)."""
    if phone in catalog_value(db, "staff_phones", lambda: frozenset(db.exec(select(Employee.phone)).all())):
        return "staff_phone"
    if today:
        return "repeat_phone"
    if device and source == "shop":  # the phone's bookings of the last minutes and of today, in one query
        cfg = current_app.config
        since = now - timedelta(minutes=cfg["FLAG_BURST_MINUTES"])
        day_start = to_utc(datetime.combine(local_day(now), time(0), TZ))
        recent, today_device = db.execute(_DEVICE_COUNTS, {"device": device, "since": since, "day_start": day_start,
                                                           "first": min(since, day_start)}).one()
        if recent + 1 >= cfg["FLAG_BURST_COUNT"]:
            return "device_burst"
        if today_device + 1 > cfg["FLAG_DEVICE_DAY"]:
            return "device_many"
    return ""


# Built once (building a statement per call cost more than running it).
_DEVICE_COUNTS = (select(func.count().filter(Booking.created_at >= bindparam("since")),
                         func.count().filter(Booking.created_at >= bindparam("day_start")))
                  .where(Booking.device == bindparam("device"), Booking.created_at >= bindparam("first")))
