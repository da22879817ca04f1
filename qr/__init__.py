"""QR codes for shop links: PNG, SVG and terminal renderings, plus their ETags.

A plain library with no Flask in it; the server calls it, and the tests call it directly.
"""

from .blocks import terminal
from .cache import RENDER_VERSION, etag
from .code import matrix, to_uri
from .images import png, svg

__all__ = ["RENDER_VERSION", "etag", "matrix", "png", "svg", "terminal", "to_uri"]

from .kit import Kit, pdf, png_zip, poster_image, service_board_image  # noqa: E402
from .person import Person  # noqa: E402

__all__ += ["Kit", "Person", "pdf", "png_zip", "poster_image", "service_board_image"]
