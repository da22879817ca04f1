"""The qr library, tested without an app: codes must scan back to the exact shop link."""

import io
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from urllib.parse import unquote

import cv2
import numpy as np
import pytest
from PIL import Image

import qr

SHOP_URL = "http://127.0.0.1:8000/s/K7P2XQ9M?c=村口海报"
# What the code actually holds: the link with its Chinese channel tag percent-encoded as UTF-8.
SHOP_URI = "http://127.0.0.1:8000/s/K7P2XQ9M?c=%E6%9D%91%E5%8F%A3%E6%B5%B7%E6%8A%A5"


def decode_with_opencv(image: Image.Image) -> str:
    """Return the text OpenCV reads from a PIL image, or "" when it finds no code."""
    pixels = np.array(image.convert("L"))
    text, _points, _straight = cv2.QRCodeDetector().detectAndDecode(pixels)
    return text


def test_non_ascii_in_a_link_is_percent_encoded_before_it_goes_into_the_code():
    assert qr.to_uri(SHOP_URL) == SHOP_URI
    assert unquote(qr.to_uri(SHOP_URL)) == SHOP_URL


def test_an_already_encoded_link_is_not_encoded_twice():
    assert qr.to_uri(SHOP_URI) == SHOP_URI


def test_png_decodes_back_to_the_exact_url_with_opencv():
    image = Image.open(io.BytesIO(qr.png(SHOP_URL)))

    assert decode_with_opencv(image) == SHOP_URI


def test_png_decodes_back_to_the_exact_url_with_zbar(tmp_path):
    if shutil.which("zbarimg") is None:
        pytest.skip("zbarimg (Debian zbar-tools) is not installed")
    path = tmp_path / "shop.png"
    path.write_bytes(qr.png(SHOP_URL))

    result = subprocess.run(
        ["zbarimg", "-q", "--raw", str(path)], capture_output=True, check=True, timeout=10
    )

    assert result.stdout.decode("ascii").strip() == SHOP_URI


def test_png_is_black_modules_on_white_with_a_quiet_zone_of_the_requested_size():
    modules = qr.matrix(SHOP_URL, border=2)
    image = Image.open(io.BytesIO(qr.png(SHOP_URL, box_size=3, border=2))).convert("L")

    assert image.size == (len(modules) * 3, len(modules) * 3)
    pixels = np.array(image)
    assert set(np.unique(pixels)) == {0, 255}
    assert (pixels[0] == 255).all()
    # Top-left corner of the finder pattern is dark, just inside the 2-module quiet zone.
    assert image.getpixel((2 * 3, 2 * 3)) == 0


def test_png_is_the_same_bytes_every_time():
    assert qr.png(SHOP_URL) == qr.png(SHOP_URL)
    assert qr.png(SHOP_URL) != qr.png(SHOP_URL, box_size=4)


def test_svg_is_an_svg_document_with_a_white_background_and_one_path():
    root = ET.fromstring(qr.svg(SHOP_URL))
    size = len(qr.matrix(SHOP_URL))

    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") == f"0 0 {size} {size}"
    assert root.get("shape-rendering") == "crispEdges"
    assert len(root.findall("{http://www.w3.org/2000/svg}path")) == 1
    assert root.find("{http://www.w3.org/2000/svg}rect").get("fill") == "#fff"


def test_svg_path_draws_exactly_the_dark_modules():
    root = ET.fromstring(qr.svg(SHOP_URL, border=1))
    path = root.find("{http://www.w3.org/2000/svg}path").get("d")
    modules = qr.matrix(SHOP_URL, border=1)
    size = len(modules)
    drawn = [[False] * size for _ in range(size)]

    runs = re.findall(r"M(\d+) (\d+)h(\d+)v1h-(\d+)z", path)
    assert "".join(f"M{x} {y}h{w}v1h-{w}z" for x, y, w, _ in runs) == path
    for x, y, width, back in runs:
        assert width == back
        for column in range(int(x), int(x) + int(width)):
            drawn[int(y)][column] = True

    assert drawn == modules


def terminal_rows(text: str) -> list[list[bool]]:
    """Turn half-block text back into rows of cells, True where a block is painted."""
    top_half = {" ": False, "▀": True, "▄": False, "█": True}
    bottom_half = {" ": False, "▀": False, "▄": True, "█": True}
    rows = []
    for line in text.splitlines():
        rows.append([top_half[char] for char in line])
        rows.append([bottom_half[char] for char in line])
    return rows


def terminal_to_image(text: str, *, scale: int = 8, margin: int = 4) -> Image.Image:
    """Paint half-block text as a dark-background terminal would: blocks light, rest dark."""
    rows = np.array(terminal_rows(text), dtype=np.uint8) * 255
    pixels = np.zeros((rows.shape[0] + 2 * margin, rows.shape[1] + 2 * margin), dtype=np.uint8)
    pixels[margin:-margin, margin:-margin] = rows
    image = Image.fromarray(pixels)
    return image.resize((image.width * scale, image.height * scale), Image.Resampling.NEAREST)


def test_terminal_rendering_decodes_back_to_the_exact_url_on_a_dark_terminal():
    text = qr.terminal(SHOP_URL)

    assert set(text) <= {" ", "▀", "▄", "█", "\n"}
    assert len({len(line) for line in text.splitlines()}) == 1
    assert decode_with_opencv(terminal_to_image(text)) == SHOP_URI


def test_terminal_rendering_paints_light_modules_by_default_and_dark_ones_when_inverted():
    modules = qr.matrix(SHOP_URL)
    # Symbols have an odd number of rows: the last text line pairs with an unpainted half row.
    unpainted = [[False] * len(modules)]

    assert terminal_rows(qr.terminal(SHOP_URL)) == [
        [not dark for dark in row] for row in modules
    ] + unpainted
    assert terminal_rows(qr.terminal(SHOP_URL, invert=True)) == modules + unpainted


def test_etag_is_stable_and_names_the_url_the_format_and_the_parameters():
    tag = qr.etag(SHOP_URL, "png")

    assert re.fullmatch(r"[0-9a-f]{16}", tag)
    assert qr.etag(SHOP_URL, "png") == tag
    assert qr.etag(SHOP_URL, "png", box_size=10, border=4) == tag
    assert qr.etag(SHOP_URL, "png", box_size=4) != tag
    assert qr.etag(SHOP_URL, "svg") != tag
    assert qr.etag(SHOP_URL, "terminal") != tag
    assert qr.etag("http://127.0.0.1:8000/s/ABCDEFGH", "png") != tag


def test_etag_rejects_unknown_formats_and_parameters():
    with pytest.raises(ValueError):
        qr.etag(SHOP_URL, "gif")
    with pytest.raises(TypeError):
        qr.etag(SHOP_URL, "svg", box_size=10)
