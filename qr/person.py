"""Who a printed page is for: the plain data the poster, the service board and the kit share.

Its own module, so that the drawing modules (sheet, poster) and the kit that assembles them
import it rather than each other.
"""
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass
class Person:
    """One employee as printed: who they are, where they serve, and their shop link."""

    name: str
    level_label: str  # e.g. "中级客户经理"
    branch: str
    grid: str
    grid_areas: Sequence[str] | str  # villages / communities, e.g. ["张庄村", "东城社区"]
    url: str  # the shop link the code holds (PUBLIC_BASE_URL/s/<code>)
    photo: bytes | None = None  # any image Pillow reads; cropped round
    channel: str = ""  # a channel code's name (渠道码: which poster or event), printed on its poster
