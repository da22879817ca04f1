"""API schemas of channel codes (the shops' own; the ShopLink table lives in server/models.py)."""
from datetime import date, datetime
from typing import Optional

from pydantic import BaseModel

from server.models import NonBlank, Public


class ChannelCodeIn(BaseModel):
    channel: NonBlank(40)  # trimmed; unique among the owner's codes in use
    grid: bool = False  # a grid code: new customers go to the grid's least-loaded employee


class ChannelCodeRename(BaseModel):
    channel: NonBlank(40)


class ChannelNumbers(Public):
    """What a code brought: visits, bookings, verified arrivals and completions (as the funnel)."""

    visits: int = 0
    bookings: int = 0
    arrived: int = 0
    completed: int = 0


class ChannelCodePublic(Public):
    code: str
    channel: str  # its current name: every number of the code is shown under it
    url: str
    grid: Optional[str] = None  # a grid code's grid
    created_at: Optional[datetime] = None
    retired_at: Optional[datetime] = None  # taken out of use: its link shows a dead end
    owner: str = ""
    owner_staff_no: str = ""
    can_manage: bool = True  # the viewer may rename, retire and print it
    numbers: ChannelNumbers = ChannelNumbers()
    poster_png: str = ""
    poster_pdf: str = ""


class ChannelCodeList(Public):
    scope: str  # mine | team
    period: str  # all | today | yesterday | week | month
    start: Optional[date] = None
    end: Optional[date] = None
    items: list[ChannelCodePublic]
