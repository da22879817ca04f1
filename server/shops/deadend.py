"""A shop code that leads nowhere still tells the customer where to go: the bank's hotline and
branches, the successor's shop when the code's owner left, the owner's own shop when the code
was a channel code its owner retired, and the nearest existing code when the one typed is one
character off.

Suggesting a code reveals nothing private: shop pages are public (printed on posters), and the
suggestion comes only from the rate-limited shop API, for a code one character away from it.
"""
import re

from sqlmodel import Session, select

from server.cache import catalog_value
from server.models import Branch, Employee, ShopLink
from server.shops.service import CODE_ALPHABET, CODE_LENGTH, active_successor

_IN_CODES = set(CODE_ALPHABET)
MAX_LOOKALIKES = 2  # characters a code never has (0/O/1/I/L) that a typed code may hold


def dead_end(db: Session, *, code: str, base_url: str) -> dict:
    """What a 404 for shop `code` carries besides the error: branches, successor, suggestion."""
    link = db.exec(select(ShopLink).where(ShopLink.code == code.upper())).first()
    retired = link is not None and link.retired_at is not None
    successor = (_owner_shop if retired else _successor)(db, link, base_url) if link else None
    suggestion = None if link else nearest_code(code, _codes(db))
    return {"branches": branches(db), "successor": successor, "retired": retired,
            "suggestion": {"code": suggestion, "url": f"{base_url}/s/{suggestion}"} if suggestion else None}


def branches(db: Session) -> list[dict]:
    """Every branch's name, address and phone (English where the branch has it), in order."""
    def build():
        rows = db.exec(select(Branch).order_by(Branch.id)).all()
        return tuple({"name": b.name, "address": b.address, "phone": b.phone,
                      # English columns arrive with the English content; Chinese until then
                      "name_en": getattr(b, "name_en", "") or b.name,
                      "address_en": getattr(b, "address_en", "") or b.address} for b in rows)
    return list(catalog_value(db, "branch_list", build))


def _codes(db: Session) -> frozenset:
    return catalog_value(db, "shop_codes", lambda: frozenset(db.exec(
        select(ShopLink.code).where(ShopLink.retired_at == None)).all()))  # noqa: E711 - codes in use


def _successor(db: Session, link: ShopLink, base_url: str) -> dict | None:
    """The own shop of whoever took over from the code's owner who left, if anyone did."""
    owner = db.get(Employee, link.employee_id)
    heir = active_successor(db, owner) if owner and owner.disabled else None
    return _own_shop(db, heir, base_url) if heir else None


def _owner_shop(db: Session, link: ShopLink, base_url: str) -> dict | None:
    """A retired channel code's way on: its owner's own shop (their successor's, if they left)."""
    owner = db.get(Employee, link.employee_id)
    person = owner if owner and not owner.disabled else (active_successor(db, owner) if owner else None)
    return _own_shop(db, person, base_url) if person else None


def _own_shop(db: Session, person: Employee, base_url: str) -> dict | None:
    own = db.exec(select(ShopLink.code).where(ShopLink.employee_id == person.id, ShopLink.channel == "")).first()
    return {"name": person.name, "code": own, "url": f"{base_url}/s/{own}"} if own else None


def nearest_code(typed: str, codes) -> str | None:
    """The one existing code that `typed` is one character off from (a character changed,
    missing, extra or swapped with its neighbour; 0/O/1/I/L, which no code has, match any
    character), or None when there is none or more than one."""
    typed = re.sub(r"[\s\-_.]", "", typed.upper())
    if not CODE_LENGTH - 1 <= len(typed) <= CODE_LENGTH + 1 or not typed.isalnum():
        return None
    if sum(ch not in _IN_CODES for ch in typed) > MAX_LOOKALIKES:
        return None
    found = {c for c in codes if c != typed and _one_off(typed, c)}
    return found.pop() if len(found) == 1 else None


def _same(typed: str, real: str) -> bool:
    return typed == real or typed not in _IN_CODES


def _one_off(t: str, c: str) -> bool:
    if len(t) == len(c):
        diffs = [i for i in range(len(c)) if not _same(t[i], c[i])]
        if len(diffs) <= 1:
            return True
        i, j = diffs[0], diffs[-1]
        return len(diffs) == 2 and j == i + 1 and _same(t[i], c[j]) and _same(t[j], c[i])
    short, long_ = (t, c) if len(t) < len(c) else (c, t)
    if len(long_) - len(short) != 1:
        return False
    for skip in range(len(long_)):  # drop one character of the longer, compare the rest
        rest = long_[:skip] + long_[skip + 1:]
        pairs = zip(rest, short) if long_ is t else zip(short, rest)
        if all(_same(a, b) for a, b in pairs):
            return True
    return False
