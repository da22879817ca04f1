"""Finding a font that can draw Chinese: a poster of empty boxes is worse than no poster.

In `qr` (no Flask), so drawing a poster never loads the server; the reports use it too."""
import functools
import glob
import os
import shutil
import subprocess
from pathlib import Path

from PIL import ImageFont

ENV_VAR = "REPORT_FONT"
NOTO = Path("/usr/share/fonts/opentype/noto")
KNOWN = {
    False: [NOTO / "NotoSansCJK-Regular.ttc", NOTO / "NotoSansCJK-Bold.ttc"],
    True: [NOTO / "NotoSansCJK-Bold.ttc", NOTO / "NotoSansCJK-Regular.ttc"],
}
KNOWN_GLOBS = ["/usr/share/fonts/truetype/wqy/*", "/usr/share/fonts/opentype/noto/*CJK*",
               "/usr/share/fonts/truetype/droid/DroidSansFallback*"]
PROBE = "王丽银行排名"  # every one must be a real glyph, not the missing-glyph box
MISSING = "\U0010ffff"  # never assigned: every font draws its .notdef box for it
HOW_TO_FIX = (
    "找不到可显示中文的字体。请安装 Debian 的 fonts-noto-cjk(apt-get install fonts-noto-cjk),"
    f"或把环境变量 {ENV_VAR} 设为一个 .ttc/.ttf/.otf 中文字体文件的路径。 "
    "No font that can draw Chinese was found: install Debian's fonts-noto-cjk "
    f"(apt-get install fonts-noto-cjk), or set {ENV_VAR} to the path of a .ttc/.ttf/.otf "
    "font with Chinese glyphs."
)


class FontMissing(RuntimeError):
    """No usable CJK font; the message says how to install or point to one."""


def find_cjk_font(*, bold: bool = False) -> Path:
    """The path of a font that draws Chinese: $REPORT_FONT, then known files, then fontconfig."""
    override = os.environ.get(ENV_VAR)
    if override:
        path = Path(override).expanduser()
        if not path.is_file():
            raise FontMissing(f"{ENV_VAR}={override}: 文件不存在 / file not found. {HOW_TO_FIX}")
        if face_index(path) is None:
            raise FontMissing(f"{ENV_VAR}={override}: 不是可显示中文的字体 / not a font that "
                              f"can draw Chinese. {HOW_TO_FIX}")
        return path
    return _search(bold)


@functools.lru_cache(maxsize=2)
def _search(bold: bool) -> Path:
    """Searching runs fontconfig, so it happens once per process; a miss is not remembered."""
    for path in _candidates(bold):
        if path.is_file() and face_index(path) is not None:
            return path
    raise FontMissing(HOW_TO_FIX)


def truetype(size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont:
    """The found font at `size` pixels, using its Simplified Chinese face when it has several."""
    path = find_cjk_font(bold=bold)
    return _load(str(path), face_index(path) or 0, size)


def face_index(path: Path) -> int | None:
    """Index of the face to use (Simplified Chinese preferred), or None if none draws Chinese."""
    return _face_index(str(path), _mtime(path))


def draws_chinese(font: ImageFont.FreeTypeFont, text: str = PROBE) -> bool:
    """True when every character of `text` has a glyph, not the font's missing-glyph box."""
    box = _bitmap(font, MISSING)
    return all(_bitmap(font, ch) != box for ch in text if not ch.isspace())


def _bitmap(font: ImageFont.FreeTypeFont, text: str) -> tuple:
    """The rendered glyph bitmap of `text`, comparable with ==."""
    mask = font.getmask(text)
    return mask.size, bytes(mask)


def _candidates(bold: bool):
    """Known files first; fontconfig (a subprocess) only if none of them will do."""
    yield from KNOWN[bold]
    for pattern in KNOWN_GLOBS:
        yield from (Path(p) for p in sorted(glob.glob(pattern)))
    yield from _fontconfig()


def _fontconfig() -> list[Path]:
    """What fontconfig offers for Chinese; fc-match always answers, so each is checked later."""
    if not shutil.which("fc-match"):
        return []
    commands = [["fc-match", "-f", "%{file}\n", ":lang=zh"], ["fc-list", ":lang=zh", "file"]]
    paths = []
    for command in commands:
        try:
            out = subprocess.run(command, capture_output=True, text=True, timeout=5,
                                 check=False).stdout
        except (OSError, subprocess.SubprocessError):
            continue
        paths += sorted(Path(line.strip().rstrip(":")) for line in out.splitlines() if line.strip())
    return paths


def _mtime(path: Path) -> float:
    """Modification time, so a replaced font file is checked again."""
    try:
        return path.stat().st_mtime
    except OSError:
        return -1.0


@functools.lru_cache(maxsize=64)
def _face_index(path: str, _mtime: float) -> int | None:
    """Try every face in the file; prefer one named SC/GB/CN."""
    chinese = []
    for index in range(32):
        try:
            font = ImageFont.truetype(path, 48, index=index)
        except OSError:
            break
        if draws_chinese(font):
            chinese.append((index, " ".join(font.getname())))
    for index, name in chinese:
        if " SC" in name or "GB" in name or "CN" in name:
            return index
    return chinese[0][0] if chinese else None


@functools.lru_cache(maxsize=32)
def _load(path: str, index: int, size: int) -> ImageFont.FreeTypeFont:
    """Loading a .ttc is slow; each (face, size) is loaded once."""
    return ImageFont.truetype(path, size, index=index)
