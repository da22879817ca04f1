"""Image files of a QR code: PNG for download and print, SVG for posters."""

import io

from PIL import Image

from .code import matrix


def png(url: str, *, box_size: int = 10, border: int = 4) -> bytes:
    """Return a black-on-white PNG of the code for `url`, `box_size` pixels per module.

    The bytes depend only on the arguments (1-bit image, no timestamp or other
    metadata), so an ETag computed from the arguments stays valid.
    """
    if box_size < 1:
        raise ValueError("box_size must be >= 1")
    modules = matrix(url, border=border)
    size = len(modules)
    # Mode "1": 0 is black, 255 is white; one pixel per module, then scaled up exactly.
    image = Image.new("1", (size, size))
    image.putdata([0 if dark else 255 for row in modules for dark in row])
    image = image.resize((size * box_size, size * box_size), Image.Resampling.NEAREST)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def svg(url: str, *, border: int = 4) -> bytes:
    """Return a standalone SVG of the code for `url` as UTF-8 bytes.

    The viewBox counts modules (one unit per module, quiet zone included) and there is
    no width/height, so the SVG scales to whatever box holds it; a white rect paints
    the quiet zone and a single path draws every dark module, one run per row segment.
    """
    modules = matrix(url, border=border)
    size = len(modules)
    path = "".join(_row_runs(y, row) for y, row in enumerate(modules))
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        'shape-rendering="crispEdges">'
        '<rect width="100%" height="100%" fill="#fff"/>'
        f'<path fill="#000" d="{path}"/>'
        "</svg>\n"
    )
    return text.encode("utf-8")


def _row_runs(y: int, row: list[bool]) -> str:
    """Return path commands drawing each horizontal run of dark modules in one row."""
    commands = []
    x = 0
    while x < len(row):
        if not row[x]:
            x += 1
            continue
        start = x
        while x < len(row) and row[x]:
            x += 1
        commands.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
    return "".join(commands)
