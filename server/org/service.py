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
from server.models import (PRODUCT_KINDS, PRODUCT_LINES, PRODUCT_METHODS, TRACKS, Branch, BranchIn,
                           Employee, Grid, GridIn, Product, ProductIn, Team, TeamIn)

BRANCH_KINDS = ("city", "rural")
NAME_MAX = 60
PRODUCT_NAME_MAX = 40  # the product table's column
CODE_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
ITEM_MAX = 30  # one village, community or document
LIMITS = {"address": 200, "phone": 30, "summary": 200, "audience": 200, "amount": 60, "term": 60}


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
    _lengths(errors, data, ("address", "phone"))
    return _save(db, branch, data.model_dump(), errors, actor=actor, source=source)


def save_grid(db: Session, *, data: GridIn, grid_id: int | None, actor: Employee, source: str) -> Grid:
    """Create or update a grid and the villages / communities it covers."""
    grid = _row(db, Grid, grid_id)
    errors = _named(db, Grid, data.name, grid_id)
    _branch(db, errors, data.branch_id)
    areas = _joined(errors, "areas", data.areas, "、", 500)
    fields = {"name": data.name, "branch_id": data.branch_id, "areas": areas}
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
    _lengths(errors, data, ("summary", "audience", "amount", "term"))
    fields = data.model_dump()
    fields["documents"] = _joined(errors, "documents", data.documents, "、", 300)
    fields["tracks"] = ",".join(dict.fromkeys(data.tracks))
    return _save(db, product, fields, errors, actor=actor, source=source, taken=("code", "code_taken"))


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


def _joined(errors: dict, field: str, items: list[str], sep: str, max_len: int) -> str:
    """A list stored as one `sep`-separated column; items may not contain a separator."""
    items = list(dict.fromkeys(items))
    joined = sep.join(items)
    if len(joined) > max_len or any(len(i) > ITEM_MAX or "、" in i or "," in i for i in items):
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
