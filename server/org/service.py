"""Organisation admin: branches, grids, teams and products, checked, saved and audited.

Each save takes a validated `XIn` and either an existing row's id (update) or None (create).
Field problems are collected and raised together as one Invalid (422, per-field messages);
a unique name or code lost to a concurrent save is the database's call, turned into the same 422.
"""
import re

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from server.audit import service as audit
from server.db import begin_write
from server.errors import Invalid, NotFound
from server.models import (BRANCH_KINDS, EN_PRODUCT_TEXT, PRODUCT_CODE, PRODUCT_KINDS, PRODUCT_LINES,
                           PRODUCT_METHODS, TRACKS, Branch, BranchIn, Employee, EmployeeProfileIn, Grid, GridIn,
                           Product, ProductIn, Team, TeamIn)
NAME_MAX = 60
PRODUCT_NAME_MAX = 40  # the product table's column
CODE_RE = re.compile(PRODUCT_CODE)
ITEM_MAX = 30  # one village, community or document
ITEM_MAX_EN = 60  # the same in English, which takes more letters
LIMITS = {"address": 200, "phone": 30, "summary": 200, "audience": 200, "amount": 60, "term": 60,
          "name_en": 80, "address_en": 200, "summary_en": 300, "audience_en": 300, "amount_en": 80,
          "term_en": 80, "title": 40, "intro": 300, "title_en": 60, "intro_en": 400}
PROFILE_SEARCH_MAX = 20


def overview(db: Session) -> dict:
    """Every branch, grid, team and product (inactive ones too), in a stable order."""
    return {"branches": list(db.exec(select(Branch).order_by(Branch.id))),
            "grids": list(db.exec(select(Grid).order_by(Grid.branch_id, Grid.id))),
            "teams": list(db.exec(select(Team).order_by(Team.branch_id, Team.id))),
            "products": list(db.exec(select(Product).order_by(Product.sort, Product.id)))}


def save_branch(db: Session, *, data: BranchIn, branch_id: int | None, actor: Employee, source: str) -> Branch:
    """Create (branch_id None) or update a branch."""
    branch = _row(db, Branch, branch_id)
    errors = _named(db, Branch, data.name, branch_id)
    if data.kind not in BRANCH_KINDS:
        errors["kind"] = "choice_invalid"
    _lengths(errors, data, ("address", "phone", "name_en", "address_en"))
    return _save(db, branch, data.model_dump(), errors, actor=actor, source=source)


def save_grid(db: Session, *, data: GridIn, grid_id: int | None, actor: Employee, source: str) -> Grid:
    """Create or update a grid and the villages / communities it covers."""
    grid = _row(db, Grid, grid_id)
    errors = _named(db, Grid, data.name, grid_id)
    _branch(db, errors, data.branch_id)
    areas = _joined(errors, "areas", data.areas, "、", 500)
    _lengths(errors, data, ("name_en",))
    areas_en = _joined(errors, "areas_en", data.areas_en, "、", 500, english=True)
    fields = {"name": data.name, "branch_id": data.branch_id, "areas": areas, "name_en": data.name_en,
              "areas_en": areas_en}
    return _save(db, grid, fields, errors, actor=actor, source=source)


def save_team(db: Session, *, data: TeamIn, team_id: int | None, actor: Employee, source: str) -> Team:
    """Create or update a team."""
    team = _row(db, Team, team_id)
    errors = _named(db, Team, data.name, team_id)
    _branch(db, errors, data.branch_id)
    return _save(db, team, data.model_dump(), errors, actor=actor, source=source)


def save_product(db: Session, *, data: ProductIn, product_id: int | None, actor: Employee,
                 source: str) -> Product:
    """Create or update a product; an inactive one leaves every shop at once."""
    product = _row(db, Product, product_id)
    errors = _named(db, Product, data.name, product_id, max_len=PRODUCT_NAME_MAX, code="product_name")
    if len(data.code) > 40 or not CODE_RE.fullmatch(data.code):
        errors["code"] = "code_invalid"
    elif _taken(db, Product, Product.code, data.code, product_id):
        errors["code"] = "code_taken"
    for field, allowed in (("line", PRODUCT_LINES), ("method", ("",) + PRODUCT_METHODS), ("kind", PRODUCT_KINDS)):
        if getattr(data, field) not in allowed:
            errors[field] = "choice_invalid"
    if not data.tracks or any(t not in TRACKS for t in data.tracks):
        errors["tracks"] = "choice_invalid"
    _lengths(errors, data, ("summary", "audience", "amount", "term", *EN_PRODUCT_TEXT))
    fields = data.model_dump()
    fields["documents"] = _joined(errors, "documents", data.documents, "、", 300)
    fields["documents_en"] = _joined(errors, "documents_en", data.documents_en, "、", 500, english=True)
    fields["tracks"] = ",".join(dict.fromkeys(data.tracks))
    return _save(db, product, fields, errors, actor=actor, source=source, taken=("code", "code_taken"))


def find_employees(db: Session, query: str, *, within=None) -> list[Employee]:
    """Up to PROFILE_SEARCH_MAX employees whose staff number or name contains `query`, among
    those `within` allows (a WHERE clause from server/access.py; None: everyone)."""
    query = query.strip()
    if not query:
        return []
    pattern = f"%{query.replace('%', '').replace('_', '')}%"
    found = select(Employee).where((Employee.staff_no.ilike(pattern)) | (Employee.name.like(pattern)))
    if within is not None:
        found = found.where(within)
    return list(db.exec(found.order_by(Employee.staff_no).limit(PROFILE_SEARCH_MAX)))


def save_profile(db: Session, *, data: EmployeeProfileIn, employee_id: int, actor: Employee,
                 source: str) -> Employee:
    """An employee's title and bio, in Chinese and English, as their shop shows them."""
    employee = _row(db, Employee, employee_id)
    errors: dict[str, str] = {}
    _lengths(errors, data, ("title", "intro", "title_en", "intro_en"))
    return _save(db, employee, data.model_dump(), errors, actor=actor, source=source)


# --- shared steps ---------------------------------------------------------------------------


def _row(db: Session, model, row_id: int | None):
    """The row to update (404 if there is none), or a new one."""
    if row_id is None:
        return model()
    row = db.get(model, row_id)
    if row is None:
        raise NotFound("not_found")
    return row


def _taken(db: Session, model, column, value, own_id: int | None) -> bool:
    other = db.exec(select(model.id).where(column == value)).first()
    return other is not None and other != own_id


def _named(db: Session, model, name: str, own_id: int | None, *, max_len: int = NAME_MAX,
           code: str = "org_name") -> dict[str, str]:
    """The errors dict, started with the name's: 1–max_len characters, not another row's."""
    if not 1 <= len(name) <= max_len:
        return {"name": code}
    if _taken(db, model, model.name, name, own_id):
        return {"name": "name_taken"}
    return {}


def _branch(db: Session, errors: dict, branch_id: int) -> None:
    if db.get(Branch, branch_id) is None:
        errors["branch_id"] = "branch_unknown"


def _lengths(errors: dict, data, fields) -> None:
    for field in fields:
        if len(getattr(data, field)) > LIMITS[field]:
            errors[field] = "too_long"


def _joined(errors: dict, field: str, items: list[str], sep: str, max_len: int, english: bool = False) -> str:
    """A list stored as one `sep`-separated column; items may not contain a separator (nor, in
    Chinese, a comma; English items may: "ID card, both sides")."""
    items = list(dict.fromkeys(items))
    joined = sep.join(items)
    item_max, banned = (ITEM_MAX_EN, ("、",)) if english else (ITEM_MAX, ("、", ","))
    if len(joined) > max_len or any(len(i) > item_max or any(b in i for b in banned) for i in items):
        errors[field] = "list_invalid"
    return joined


def _save(db: Session, row, fields: dict, errors: dict, *, actor: Employee, source: str,
          taken: tuple[str, str] = ("name", "name_taken")):
    """Apply the fields and commit with an audit entry, or raise every problem as one 422."""
    if errors:
        raise Invalid(**errors)
    created = row.id is None
    begin_write(db)
    for key, value in fields.items():
        setattr(row, key, value)
    db.add(row)
    try:
        db.flush()  # the new row's id, for the audit target
        audit.record(db, action="org_changed", actor=actor, target=f"{type(row).__name__.lower()}:{row.id}",
                     detail="created" if created else "updated", source=source)
        db.commit()
    except IntegrityError:
        db.rollback()  # a concurrent save took the name (or code) first
        raise Invalid(**{taken[0]: taken[1]})
    return row
