"""A QR code drawn with Unicode half blocks, to print in a terminal and scan."""

from .code import matrix

# (top half drawn, bottom half drawn) -> character
_BLOCKS = {
    (False, False): " ",
    (True, False): "\u2580",  # ▀ upper half block
    (False, True): "\u2584",  # ▄ lower half block
    (True, True): "\u2588",  # █ full block
}


def terminal(url: str, *, invert: bool = False, border: int = 4) -> str:
    """Return the code for `url` as text, two module rows per line, one column per char.

    Scanners want dark modules on a light background. Terminals draw blocks in the
    foreground colour, which is light on the usual dark background, so by default the
    *light* modules (quiet zone included) are drawn as blocks and the dark ones are left
    as spaces, showing the terminal's dark background. Pass `invert=True` for a
    light-background terminal, where the dark modules must be the blocks. An odd last
    row is paired with an undrawn half row, i.e. terminal background beyond the quiet zone.
    """
    modules = matrix(url, border=border)
    # drawn[y][x]: whether the module at (x, y) is painted with a block.
    drawn = [[dark == invert for dark in row] for row in modules]
    if len(drawn) % 2:
        drawn.append([False] * len(drawn[0]))
    lines = []
    for top, bottom in zip(drawn[0::2], drawn[1::2]):
        lines.append("".join(_BLOCKS[pair] for pair in zip(top, bottom)))
    return "\n".join(lines) + "\n"
