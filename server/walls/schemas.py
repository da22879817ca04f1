"""API schemas of TV wall links (the table is WallLink in server/models.py)."""
from datetime import datetime
from typing import Optional

from pydantic import BaseModel

from server.models import ErrorBody, NonBlank, Public


class WallLinkIn(BaseModel):
    """A new wall link: where the screen is, and whose wall it shows."""

    label: NonBlank(40)  # e.g. 城区支行大厅电视
    branch_id: Optional[int] = None  # one branch's wall; None: the whole bank (head office only)


class WallLinkPublic(Public):
    id: int
    label: str
    scope: str  # bank | branch
    branch_id: Optional[int]
    branch: str  # "" for the whole bank
    created_by: str  # the maker's name
    created_at: datetime
    last_used_at: Optional[datetime]  # the last time a screen used it (to within a few minutes)
    revoked_at: Optional[datetime]
    revoked_by: str = ""
    active: bool


class WallLinkCreated(WallLinkPublic):
    """The link itself, shown this once: only its hash is kept."""

    url: str
    qr: str  # data:image/png;base64,...


class WallLinkList(Public):
    items: list[WallLinkPublic]


class WallInfo(Public):
    """What a wall link shows: the whole bank or one branch."""

    label: str
    scope: str  # bank | branch
    branch_id: Optional[int]
    branch: str
    bank: str
    stream: str  # the live stream's URL, with a ticket that expires (TICKET_SECONDS)


class WallGone(ErrorBody):
    """A withdrawn wall link (410): who withdrew it and when, and whom to ask for a new one."""

    label: str
    branch: str
    revoked_at: datetime
    revoked_by: str
    revoked_by_branch: str
