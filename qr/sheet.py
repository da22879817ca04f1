"""Drawing pieces for printed pages: an A4 sheet, fitted Chinese text, QR codes, avatars.

Every size below is in pixels at 300 dpi and scaled by `Sheet.px`, so a test can draw the
same layout at 100 dpi. Each drawn text is recorded (text, font, box) so tests can check
what was printed and with which font, without reading pixels back.
"""

import hashlib
import io
import math
import re
from dataclasses import dataclass, field
from PIL import Image, ImageDraw, ImageFont, ImageOps

from .code import matrix
from .fonts import truetype
from .person import Person

GREEN = (11, 107, 58)  # bank green #0b6b3a
GREEN_DARK = (7, 74, 40)
PALE = (232, 243, 236)
MINT = (200, 228, 211)  # light text on green
GOLD = (201, 162, 39)
INK = (31, 42, 36)
MUTED = (96, 108, 101)
WHITE = (255, 255, 255)
AVATAR_COLOURS = [(11, 107, 58), (23, 105, 140), (156, 98, 22), (122, 62, 140),
                  (176, 58, 46), (32, 120, 104)]
A4_MM = (210, 297)
QUIET = 4  # modules of white around every code, as the QR standard asks
ELLIPSIS = "…"
BREAK_AFTER = "、，,；;）) "
# A mainland mobile number (11 digits from 1[3-9]) not inside a longer run of digits.
MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")


@dataclass(frozen=True)
class Printed:
    """One piece of text as drawn: the string, the font and its box on the page."""

    text: str
    font: ImageFont.FreeTypeFont
    box: tuple[int, int, int, int]


@dataclass
class Sheet:
    """A page being drawn, with what went on it."""

    image: Image.Image
    dpi: int
    printed: list[Printed] = field(default_factory=list)
    boxes: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)

    @classmethod
    def a4(cls, dpi: int, *, landscape: bool = False) -> "Sheet":
        """A blank white A4 page at `dpi` (2480×3508 at 300 dpi)."""
        if dpi < 50:
            raise ValueError("dpi must be at least 50")
        w, h = (round(mm / 25.4 * dpi) for mm in A4_MM)
        size = (h, w) if landscape else (w, h)
        return cls(Image.new("RGB", size, WHITE), dpi)

    @property
    def draw(self) -> ImageDraw.ImageDraw:
        """A drawing context on the page."""
        return ImageDraw.Draw(self.image)

    def px(self, value: float) -> int:
        """A length designed at 300 dpi, at this sheet's dpi."""
        return round(value * self.dpi / 300)

    def font(self, size: float, *, bold: bool = False) -> ImageFont.FreeTypeFont:
        """The Chinese font at a size designed at 300 dpi."""
        return truetype(max(self.px(size), 8), bold=bold)

    def text(self, xy, text: str, font, fill, *, anchor: str = "la", name: str = "",
             private: bool = True) -> tuple[int, int, int, int]:
        """Draw one line; mobile numbers in staff-supplied text are masked (138****1234)."""
        if private:
            text = mask_mobiles(text)
        box = self.draw.textbbox(xy, text, font=font, anchor=anchor)
        self.draw.text(xy, text, font=font, fill=fill, anchor=anchor)
        self.printed.append(Printed(text, font, box))
        if name:
            self.boxes[name] = box
        return box

    def fitted(self, text: str, size: float, width: int, *, bold: bool = False,
               smallest: float = 0) -> tuple[str, ImageFont.FreeTypeFont]:
        """`text` in the largest font down to `smallest` that fits `width`, else clipped."""
        smallest = smallest or size * 0.6
        while size > smallest and self.font(size, bold=bold).getlength(text) > width:
            size *= 0.92
        font = self.font(max(size, smallest), bold=bold)
        return clip(text, font, width), font


def mask_mobiles(text: str) -> str:
    """Hide the middle four digits of any mainland mobile number in `text`."""
    return MOBILE.sub(r"\1****\3", text)


def clip(text: str, font, width: int) -> str:
    """`text` cut with an ellipsis so that it is at most `width` pixels wide."""
    if font.getlength(text) <= width:
        return text
    while text and font.getlength(text + ELLIPSIS) > width:
        text = text[:-1]
    return text + ELLIPSIS


def wrap(text: str, font, width: int, max_lines: int) -> list[str]:
    """Break Chinese text at any character (no spaces needed), at most `max_lines` lines."""
    lines, line = [], ""
    for char in text:
        if font.getlength(line + char) <= width or not line:
            line += char
            continue
        # Prefer to break after a separator (、，) in the second half, keeping names whole.
        cut = max(line.rfind(sep) for sep in BREAK_AFTER) + 1
        cut = cut if cut > len(line) // 2 else len(line)
        lines.append(line[:cut])
        line = (line[cut:] + char).lstrip()
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        # The rest is wider than one line, so clipping it always ends in an ellipsis.
        lines = lines[:max_lines - 1] + [clip("".join(lines[max_lines - 1:]), font, width)]
    return lines


def areas_text(areas) -> str:
    """Villages and communities as one line joined with 、 (a string is taken as it is)."""
    if not areas:
        return ""
    if isinstance(areas, str):
        return areas.strip()
    return "、".join(a.strip() for a in areas if a and a.strip())


def qr_image(url: str, width: int) -> Image.Image:
    """The code for `url` with its quiet zone, whole pixels per module, at most `width` wide."""
    modules = matrix(url, border=QUIET)
    size = len(modules)
    box = width // size
    if box < 2:
        raise ValueError(f"{width} px is too small for a {size}-module QR code")
    image = Image.new("1", (size, size))
    image.putdata([0 if dark else 255 for row in modules for dark in row])
    return image.resize((size * box, size * box), Image.Resampling.NEAREST).convert("RGB")


def paste_qr(sheet: Sheet, url: str, centre: tuple[int, int], width: int, name: str) -> None:
    """Draw the code for `url` centred on `centre`; its box (quiet zone included) is kept."""
    code = qr_image(url, width)
    x, y = centre[0] - code.width // 2, centre[1] - code.height // 2
    sheet.image.paste(code, (x, y))
    sheet.boxes[name] = (x, y, x + code.width, y + code.height)


def face(person: Person, diameter: int) -> Image.Image:
    """A square portrait: the photo cropped to its centre, or the name's last two characters."""
    if person.photo:
        return _photo(person, diameter)
    return _initials(person.name, diameter)


def _photo(person: Person, diameter: int) -> Image.Image:
    """The photo turned upright and cropped to its centre square."""
    try:
        with Image.open(io.BytesIO(person.photo)) as opened:
            photo = ImageOps.exif_transpose(opened).convert("RGB")
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ValueError(f"{person.name} 的照片无法读取 / photo cannot be read: {exc}") from exc
    return ImageOps.fit(photo, (diameter, diameter), Image.Resampling.LANCZOS,
                        centering=(0.5, 0.35))  # faces sit in the upper part of a portrait


def _initials(name: str, diameter: int) -> Image.Image:
    """The last two characters of the name, white on a colour chosen by the name."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    colour = AVATAR_COLOURS[digest[0] % len(AVATAR_COLOURS)]
    disc = Image.new("RGB", (diameter, diameter), colour)
    letters = name.strip()[-2:]
    font = truetype(max(int(diameter * (0.36 if len(letters) > 1 else 0.5)), 8), bold=True)
    ImageDraw.Draw(disc).text((diameter / 2, diameter / 2), letters, font=font, fill=WHITE,
                              anchor="mm")
    return disc


def paste_avatar(sheet: Sheet, person: Person, centre: tuple[int, int], diameter: int,
                 ring: int, name: str = "avatar") -> None:
    """The portrait cut to a circle inside a white ring, centred on `centre`."""
    cx, cy = centre
    outer = diameter // 2 + ring
    sheet.draw.ellipse((cx - outer, cy - outer, cx + outer, cy + outer), fill=WHITE)
    sheet.image.paste(face(person, diameter), (cx - diameter // 2, cy - diameter // 2),
                      _round_mask(diameter))
    sheet.boxes[name] = (cx - outer, cy - outer, cx + outer, cy + outer)


def _round_mask(diameter: int) -> Image.Image:
    """A circle with a smooth edge: drawn three times larger, then shrunk."""
    big = diameter * 3
    mask = Image.new("L", (big, big), 0)
    ImageDraw.Draw(mask).ellipse((0, 0, big - 1, big - 1), fill=255)
    return mask.resize((diameter, diameter), Image.Resampling.LANCZOS)


def pill(sheet: Sheet, xy: tuple[int, int], text: str, font, *, centred: bool = False,
         fill=GREEN, colour=WHITE) -> int:
    """A rounded label whose left-middle (or middle, if `centred`) is at `xy`; returns its right."""
    text = mask_mobiles(text)
    pad = round(font.size * 0.6)
    width = math.ceil(font.getlength(text)) + 2 * pad
    half = round(font.size * 0.85)
    x, y = xy
    if centred:
        x -= width // 2
    sheet.draw.rounded_rectangle((x, y - half, x + width, y + half), radius=half, fill=fill)
    sheet.text((x + pad, y), text, font, colour, anchor="lm")
    return x + width
