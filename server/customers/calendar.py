"""An appointment as a calendar file (.ics) the phone's calendar opens: Asia/Shanghai with its
VTIMEZONE, the branch's address, the manager and the private status link."""
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from icalendar import Alarm, Calendar, Event

from server.clock import local
from server.models import Booking


def ics(booking: Booking, *, product: str, manager: str, branch: str, address: str, link: str,
        now: datetime) -> bytes:
    """One VEVENT for the appointment (a reminder alarm an hour before); UID = reference@host."""
    cfg = current_app.config
    start = local(booking.slot_start)
    cal = Calendar()
    cal.add("prodid", f"-//{cfg['BANK_NAME']}//yryd//ZH")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{booking.reference}@{urlsplit(cfg['PUBLIC_BASE_URL']).hostname or 'localhost'}")
    event.add("dtstamp", now)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=cfg["SLOT_MINUTES"]))
    event.add("summary", f"{cfg['BANK_NAME']} · {product}")
    event.add("location", f"{branch} {address}".strip())
    event.add("description", f"客户经理：{manager}\n预约号：{booking.reference}\n"
                             f"查看、改期或取消：{link}\n客服热线：{cfg['BANK_HOTLINE']}")
    event.add("url", link)
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", f"{product}，{manager}")
    alarm.add("trigger", timedelta(hours=-1))
    event.add_component(alarm)
    cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
