"""The QR symbol itself: what text goes into it and which modules are dark."""

from urllib.parse import quote

import qrcode
from qrcode.constants import ERROR_CORRECT_M

# Characters left as they are when a URL is made ASCII: RFC 3986 reserved and
# unreserved characters, plus "%" so that an already-encoded URL is not encoded twice.
_URI_SAFE = "!#$%&'()*+,/:;=?@[]~-._"


def to_uri(url: str) -> str:
    """Return the exact text stored in the code: `url` with non-ASCII percent-encoded.

    QR byte mode has no reliable charset marker, so scanners guess: zbar reads the
    UTF-8 bytes of "村口海报" as Shift-JIS and returns mojibake. Percent-encoding
    (UTF-8, as browsers do) keeps the payload ASCII, so every scanner returns the same
    URL and the browser still shows the Chinese text. Host names are not IDNA-encoded:
    shop links are built on the configured ASCII `PUBLIC_BASE_URL`.
    """
    return quote(url, safe=_URI_SAFE)


def matrix(url: str, *, border: int = 4) -> list[list[bool]]:
    """Return the modules of the code for `url` (True = dark), quiet zone included.

    Error correction is level M (15% of the symbol may be damaged or covered), the
    usual choice for printed posters; the version is the smallest that fits.
    """
    if border < 0:
        raise ValueError("border must be >= 0")
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=border)
    code.add_data(to_uri(url))
    code.make(fit=True)
    return code.get_matrix()
