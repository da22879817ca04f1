"""Cache validators for rendered QR codes."""

import hashlib
import inspect
import json

from .blocks import terminal
from .code import to_uri
from .images import png, svg

# Bump when the rendering of an unchanged input changes, so old ETags stop matching.
RENDER_VERSION = 1

_RENDERERS = {"png": png, "svg": svg, "terminal": terminal}


def etag(url: str, fmt: str, **params) -> str:
    """Return a short hex hash naming the image `fmt` renders for `url` and `params`.

    Parameters are bound to the renderer's signature, so explicit defaults give the same
    tag as omitted ones and an unknown parameter raises TypeError, like the renderer
    would. The value is bare hex; the HTTP layer adds the quotes an ETag header needs.
    """
    try:
        renderer = _RENDERERS[fmt]
    except KeyError:
        raise ValueError(f"unknown QR format {fmt!r}; expected one of {sorted(_RENDERERS)}") from None
    bound = inspect.signature(renderer).bind(url, **params)
    bound.apply_defaults()
    arguments = dict(bound.arguments, url=to_uri(url))
    key = json.dumps([RENDER_VERSION, fmt, arguments], sort_keys=True)
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
