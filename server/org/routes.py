"""Organisation admin API (admins only): branches, grids, teams and products.

POST /<kind> creates, PUT /<kind>/<id> replaces the whole record; every change is audited.
"""
from flask import Blueprint, request
from flask_login import login_required

from server.access import admin_only
from server.db import get_db
from server.extensions import doc
from server.http import body, client_ip, me, out
from server.models import (BranchIn, BranchPublic, EmployeeProfile, EmployeeProfileIn, EmployeeProfileList,
                           ErrorBody, FindQuery, GridIn, GridPublic, OrgPublic, ProductAdmin, ProductIn, TeamIn,
                           TeamPublic)
from server.org import service
from spectree import Response as Doc

bp = Blueprint("org", __name__, url_prefix="/api/org")


def _admin():
    """The acting admin (the routes are admin_only)."""
    return me()


def _doc(schema_in, schema_out, status="HTTP_200"):
    return doc(json=schema_in, tags=["admin"], resp=Doc(HTTP_403=ErrorBody, HTTP_404=ErrorBody,
                                                        HTTP_422=ErrorBody, **{status: schema_out}))


@bp.get("")
@login_required
@admin_only
@doc(resp=Doc(HTTP_200=OrgPublic, HTTP_403=ErrorBody), tags=["admin"])
def overview():
    """Every branch, grid, team and product, inactive products included."""
    _admin()
    return out(OrgPublic, service.overview(get_db()))


@bp.post("/branches")
@login_required
@admin_only
@_doc(BranchIn, BranchPublic, "HTTP_201")
def create_branch():
    """Open a branch."""
    actor = _admin()
    branch = service.save_branch(get_db(), data=body(BranchIn), branch_id=None, actor=actor, source=client_ip())
    return out(BranchPublic, branch, 201)


@bp.put("/branches/<int:branch_id>")
@login_required
@admin_only
@_doc(BranchIn, BranchPublic)
def update_branch(branch_id: int):
    """Rename a branch or change its address and phone."""
    actor = _admin()
    branch = service.save_branch(get_db(), data=body(BranchIn), branch_id=branch_id, actor=actor,
                                 source=client_ip())
    return out(BranchPublic, branch)


@bp.post("/grids")
@login_required
@admin_only
@_doc(GridIn, GridPublic, "HTTP_201")
def create_grid():
    """Add a grid and the villages / communities it covers."""
    actor = _admin()
    grid = service.save_grid(get_db(), data=body(GridIn), grid_id=None, actor=actor, source=client_ip())
    return out(GridPublic, grid, 201)


@bp.put("/grids/<int:grid_id>")
@login_required
@admin_only
@_doc(GridIn, GridPublic)
def update_grid(grid_id: int):
    """Change a grid: name, branch, areas."""
    actor = _admin()
    grid = service.save_grid(get_db(), data=body(GridIn), grid_id=grid_id, actor=actor, source=client_ip())
    return out(GridPublic, grid)


@bp.post("/teams")
@login_required
@admin_only
@_doc(TeamIn, TeamPublic, "HTTP_201")
def create_team():
    """Add a team."""
    actor = _admin()
    team = service.save_team(get_db(), data=body(TeamIn), team_id=None, actor=actor, source=client_ip())
    return out(TeamPublic, team, 201)


@bp.put("/teams/<int:team_id>")
@login_required
@admin_only
@_doc(TeamIn, TeamPublic)
def update_team(team_id: int):
    """Rename a team or move it to another branch."""
    actor = _admin()
    team = service.save_team(get_db(), data=body(TeamIn), team_id=team_id, actor=actor, source=client_ip())
    return out(TeamPublic, team)


@bp.post("/products")
@login_required
@admin_only
@_doc(ProductIn, ProductAdmin, "HTTP_201")
def create_product():
    """Add a product (documents checklist and offering tracks as lists)."""
    actor = _admin()
    product = service.save_product(get_db(), data=body(ProductIn), product_id=None, actor=actor,
                                   source=client_ip())
    return out(ProductAdmin, product, 201)


@bp.put("/products/<int:product_id>")
@login_required
@admin_only
@_doc(ProductIn, ProductAdmin)
def update_product(product_id: int):
    """Change a product; `active: false` takes it out of every shop."""
    actor = _admin()
    product = service.save_product(get_db(), data=body(ProductIn), product_id=product_id, actor=actor,
                                   source=client_ip())
    return out(ProductAdmin, product)


@bp.get("/employees")
@login_required
@admin_only
@doc(query=FindQuery, resp=Doc(HTTP_200=EmployeeProfileList, HTTP_403=ErrorBody), tags=["admin"])
def find_employees():
    """Employees whose staff number or name contains ?q= (at most 20), with their shop profile."""
    return out(EmployeeProfileList, {"items": service.find_employees(get_db(), request.args.get("q", "")[:40])})


@bp.put("/employees/<int:employee_id>/profile")
@login_required
@admin_only
@_doc(EmployeeProfileIn, EmployeeProfile)
def update_profile(employee_id: int):
    """An employee's title and bio on their shop, in Chinese and English."""
    actor = _admin()
    employee = service.save_profile(get_db(), data=body(EmployeeProfileIn), employee_id=employee_id, actor=actor,
                                    source=client_ip())
    return out(EmployeeProfile, employee)
