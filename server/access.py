"""Who may do what: the one place the role ladder is read.

Roles rank staff < grid_leader < branch_manager < admin. Seeing follows scope (a grid leader
their grid, a branch head their branch, head office everything); changing someone's standing
(out-of-office, handover, their customers' full numbers) also needs the viewer to rank above
the person concerned: a branch head manages the staff and grid leaders of their own branch,
never another branch head nor head office. Routes and services ask here; nothing else compares
roles.
"""
from functools import wraps

from sqlmodel import Session, select

from server.errors import ApiError
from server.models import Booking, Employee

RANK = {"staff": 0, "grid_leader": 1, "branch_manager": 2, "admin": 3}
SCOPES = ("mine", "grid", "branch", "all")


def rank(employee: Employee) -> int:
    return RANK.get(employee.role, 0)


def is_admin(employee: Employee) -> bool:
    return employee.role == "admin"


def is_branch_head(employee: Employee) -> bool:
    return employee.role == "branch_manager"


def leads_grid(employee: Employee) -> bool:
    return employee.role == "grid_leader" and employee.grid_id is not None


def staff_in_scope(viewer: Employee, target: Employee) -> bool:
    """Whether `target`'s work is within what `viewer` oversees (yourself included)."""
    if viewer.id == target.id or is_admin(viewer):
        return True
    if is_branch_head(viewer):
        return target.branch_id == viewer.branch_id
    if leads_grid(viewer):
        return target.grid_id == viewer.grid_id
    return False


def may_manage(viewer: Employee, target: Employee) -> bool:
    """Whether `viewer` may change `target`'s standing (absence, handover): yourself; head office
    anyone; a branch head the lower-ranked people of their own branch."""
    if viewer.id == target.id or is_admin(viewer):
        return True
    return is_branch_head(viewer) and target.branch_id == viewer.branch_id and rank(target) < rank(viewer)


def may_manage_codes(viewer: Employee, owner: Employee) -> bool:
    """Channel codes (rename, retire, print): their owner's, and of whoever may manage the owner.
    Seeing them and their numbers follows staff_in_scope / people_clause, like the boards."""
    return may_manage(viewer, owner)


def may_hand_over(viewer: Employee, source: Employee, successor: Employee) -> bool:
    """A handover is head office's, or a branch head's between people they manage (themselves
    included): a branch head neither disables head office nor hands a book to another branch."""
    return ((is_admin(viewer) or is_branch_head(viewer))
            and may_manage(viewer, source) and may_manage(viewer, successor))


def manage_clause(viewer: Employee):
    """A WHERE clause on Employee for the people `viewer` may_manage() (None: everyone)."""
    if is_admin(viewer):
        return None
    if is_branch_head(viewer):
        below = [role for role, n in RANK.items() if n < rank(viewer)]
        return (Employee.id == viewer.id) | ((Employee.branch_id == viewer.branch_id) & Employee.role.in_(below))
    return Employee.id == viewer.id


def delegate_clause(viewer: Employee, *, allowed: frozenset[str] = frozenset()):
    """A WHERE clause on Employee for who may cover an absence the viewer sets (see
    may_delegate): active people of the viewer's branch or listed in `allowed`; anyone active
    for head office, who sets absences in every branch."""
    active = Employee.disabled == False  # noqa: E712
    if is_admin(viewer):
        return active
    return active & ((Employee.branch_id == viewer.branch_id) | Employee.staff_no.in_(allowed))


def may_delegate(employee: Employee, delegate: Employee, *, allowed: frozenset[str] = frozenset()) -> bool:
    """A delegate is another active employee of the same branch, or one head office lists in
    `allowed` (staff numbers who may cover any branch)."""
    return (delegate.id != employee.id and not delegate.disabled
            and (delegate.branch_id == employee.branch_id or delegate.staff_no in allowed))


def booking_clause(viewer: Employee, scope: str):
    """A WHERE clause for the bookings `viewer` may list under `scope` (403 if not theirs)."""
    if scope == "mine":
        return Booking.employee_id == viewer.id
    if scope == "grid" and leads_grid(viewer):
        return Booking.employee_id.in_(select(Employee.id).where(Employee.grid_id == viewer.grid_id))
    if scope == "branch" and (is_branch_head(viewer) or is_admin(viewer)):
        return Booking.branch_id == viewer.branch_id
    if scope == "all" and is_admin(viewer):
        return True
    raise ApiError("forbidden", 403)


def people_clause(viewer: Employee):
    """A WHERE clause on Employee for the people whose numbers `viewer` may see (None: everyone)."""
    if is_admin(viewer):
        return None
    if is_branch_head(viewer):
        return Employee.branch_id == viewer.branch_id
    if leads_grid(viewer):
        return Employee.grid_id == viewer.grid_id
    return Employee.id == viewer.id


def people_in_scope(db: Session, viewer: Employee) -> list[int] | None:
    """The ids of the people `viewer` oversees (themselves included); None means everyone."""
    clause = people_clause(viewer)
    return None if clause is None else list(db.exec(select(Employee.id).where(clause)))


def may_see(db: Session, viewer: Employee, booking: Booking) -> bool:
    """A booking routed to the viewer or to someone within their scope."""
    if booking.employee_id == viewer.id or is_admin(viewer):
        return True
    if is_branch_head(viewer):
        return booking.branch_id == viewer.branch_id
    if leads_grid(viewer):
        return db.get(Employee, booking.employee_id).grid_id == viewer.grid_id
    return False


def may_reveal(db: Session, viewer: Employee, booking: Booking) -> bool:
    """A customer's full number: the booking must be visible and its manager the viewer or
    someone ranked below them (a branch head does not read head office's customers)."""
    if not may_see(db, viewer, booking):
        return False
    owner = db.get(Employee, booking.employee_id)
    return owner.id == viewer.id or is_admin(viewer) or rank(owner) < rank(viewer)


def may_print(viewer: Employee, scope: str, target_id: int, *, owner: Employee | None = None,
              grid_branch: int | None = None) -> bool:
    """Print kits: my own poster; a grid leader their grid; a branch head their branch's grids,
    their branch, and the posters of people they manage; head office anything."""
    if is_admin(viewer):
        return True
    if scope == "employee":
        return target_id == viewer.id or (owner is not None and may_manage(viewer, owner))
    if scope == "grid":
        return ((leads_grid(viewer) and viewer.grid_id == target_id)
                or (is_branch_head(viewer) and grid_branch == viewer.branch_id))
    return scope == "branch" and is_branch_head(viewer) and viewer.branch_id == target_id


def event_scope(db: Session, viewer: Employee) -> tuple[frozenset[int] | None, int | None]:
    """What a live stream may carry whole, read once when it opens (it ends within minutes):
    the people the viewer oversees (None: everyone) and, for a branch head, their branch."""
    people = people_in_scope(db, viewer)
    return (None if people is None else frozenset(people),
            viewer.branch_id if is_branch_head(viewer) else None)


def sees_event(scope: tuple[frozenset[int] | None, int | None], message: dict) -> bool:
    """Whether a live change message concerns someone within an event_scope()."""
    people, branch_id = scope
    if "employee_id" not in message or people is None:
        return True  # no one's (catalog changes, the bus's own state), or a head-office viewer
    return message["employee_id"] in people or (branch_id is not None and message.get("branch_id") == branch_id)


def audit_scope(viewer: Employee) -> int | None:
    """Which audit entries `viewer` may read: None for head office (all), their branch's id for
    a branch head; 403 for anyone else."""
    require(is_admin(viewer) or is_branch_head(viewer))
    return None if is_admin(viewer) else viewer.branch_id


def wall_scope(viewer: Employee) -> int | None:
    """Which TV wall links `viewer` may make, list and withdraw: None for head office (bank-wide
    ones and every branch's), their own branch's id for a branch head; 403 for anyone else."""
    require(is_admin(viewer) or is_branch_head(viewer))
    return None if is_admin(viewer) else viewer.branch_id


def may_handle_wall(viewer: Employee, branch_id: int | None) -> bool:
    """A wall link for `branch_id` (None: the whole bank): head office any, a branch head only
    their own branch's (never a bank-wide one); 403 for anyone else."""
    scope = wall_scope(viewer)
    return scope is None or branch_id == scope


def admin_only(view):
    """Route decorator (under login_required): 403 unless the viewer is head office."""
    @wraps(view)
    def guarded(*args, **kwargs):
        from server.http import me

        if not is_admin(me()):
            raise ApiError("forbidden", 403)
        return view(*args, **kwargs)

    return guarded


def require(allowed: bool) -> None:
    """403 unless `allowed`."""
    if not allowed:
        raise ApiError("forbidden", 403)
