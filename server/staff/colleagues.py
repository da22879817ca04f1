"""The colleague picker's search: people the viewer may choose in a form, found by name or 工号.

Two purposes, each scoped in server/access.py: `manage` (whose absence or handover the viewer
may set) and `delegate` (who may cover an absence). The answer names people and their branch
and grid, never a phone number.
"""
from sqlmodel import Session, select

from server import access
from server.models import Branch, Employee, Grid
from server.org.service import find_employees

PURPOSES = ("delegate", "manage")
QUERY_MAX = 40


def search(db: Session, *, viewer: Employee, query: str, purpose: str,
           cross_branch: frozenset[str] = frozenset()) -> list[dict]:
    """Up to 20 people matching `query` whom `viewer` may pick for `purpose`."""
    within = (access.manage_clause(viewer) if purpose == "manage"
              else access.delegate_clause(viewer, allowed=cross_branch))
    people = find_employees(db, query[:QUERY_MAX], within=within)
    branches = _names(db, Branch, {e.branch_id for e in people})
    grids = _names(db, Grid, {e.grid_id for e in people if e.grid_id})
    return [{"staff_no": e.staff_no, "name": e.name, "branch": branches[e.branch_id],
             "grid": grids.get(e.grid_id, ""), "left": e.disabled} for e in people]


def _names(db: Session, model, ids: set[int]) -> dict[int, str]:
    return {pk: name for pk, name in db.exec(select(model.id, model.name).where(model.id.in_(ids)))} if ids else {}
