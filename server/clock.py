"""Asia/Shanghai days and times: the bank's calendar."""
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")


def local(moment: datetime) -> datetime:
    """An aware time in Asia/Shanghai."""
    return moment.astimezone(TZ)


def to_utc(moment: datetime) -> datetime:
    """An aware time (or a naive one meant as Asia/Shanghai) in UTC, as stored."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=TZ)
    return moment.astimezone(timezone.utc)


def local_day(moment: datetime) -> date:
    """The Asia/Shanghai calendar day of an aware time: the bank's day."""
    return local(moment).date()


def period_range(period: str, today: date) -> tuple[date, date]:
    """First and last day (inclusive) of today / yesterday / this week / this month."""
    if period == "today":
        return today, today
    if period == "yesterday":
        return today - timedelta(days=1), today - timedelta(days=1)
    if period == "week":
        return today - timedelta(days=today.weekday()), today
    if period == "month":
        return today.replace(day=1), today
    raise ValueError(period)
