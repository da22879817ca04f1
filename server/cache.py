"""Per-worker caches of hot reads (shops, boards, session employees), kept fresh by the bus.

Every worker keeps its own small copy. A commit that touches a table a cache is built from
clears that cache in its own process at once (an ORM event, whatever code made the change);
other workers and hosts clear theirs when the change message reaches them on the bus. Entries
also expire after a few seconds, which bounds staleness when a message is missed (Redis down).
"""
import time
import weakref
from typing import Any, Hashable

from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, make_transient_to_detached

# What a shop profile is built from; a change to any of these also renames board rows. And
# staff hours (availability), which every slot list and slot booking reads.
CATALOG = {"employee", "branch", "grid", "team", "product", "shoplink", "outofoffice", "availability"}
STATS = {"dailystat", "funnelstat"}


class Cache:
    """A dict with a time-to-live, emptied by clear(); ttl 0 turns it off."""

    def __init__(self, ttl: float, maxsize: int = 20_000):
        self.ttl, self.maxsize = ttl, maxsize
        self._data: dict[Hashable, tuple[float, Any]] = {}
        self.generation = 0  # bumped by clear(): a value computed before it must not be stored

    def get(self, key: Hashable) -> Any:
        hit = self._data.get(key)
        if hit is None or hit[0] < time.monotonic():
            return None
        return hit[1]

    def put(self, key: Hashable, value: Any, generation: int) -> None:
        """Store `value`, computed from data read after generation `generation` was current."""
        if not self.ttl or generation != self.generation:
            return  # cleared while it was computed: it may predate the change
        if len(self._data) >= self.maxsize:
            self._data = {}
        self._data[key] = (time.monotonic() + self.ttl, value)

    def clear(self) -> None:
        self.generation += 1
        self._data = {}

    def fetch(self, key: Hashable, build) -> Any:
        """The value under `key`, built by `build()` (and kept) when missing."""
        value = self.get(key)
        if value is None:
            generation = self.generation
            value = build()
            self.put(key, value, generation)
        return value


class Caches:
    """The app's caches and the rules that clear them."""

    def __init__(self, engine: Engine, bus, shop_ttl: float, board_ttl: float, user_ttl: float):
        self.shops = Cache(shop_ttl)
        self.boards = Cache(board_ttl)
        self.users = Cache(user_ttl)  # employee rows behind staff sessions (server/__init__.py)
        self.catalog = Cache(shop_ttl)  # rows every booking reads (catalog_row below)
        self.bus = bus
        _by_engine[engine] = self
        bus.add_listener(self.heard)

    @property
    def trusted(self) -> bool:
        """Whether entries can be trusted to be cleared on change: not while the bus is down
        (this process would not hear other processes' changes)."""
        return not getattr(self.bus, "degraded", False)

    def heard(self, message: dict) -> None:
        """A change message from any process: bookings, visits and statuses move the boards;
        "catalog" (staff, branches, products, shop codes) changes shops and boards."""
        if message.get("type") == "catalog":
            self.shops.clear()
            self.users.clear()
            self.catalog.clear()
        self.boards.clear()

    def committed(self, tables: set[str]) -> None:
        """This process committed changes to `tables`."""
        if tables & CATALOG:
            self.shops.clear()
            self.users.clear()
            self.catalog.clear()
            self.boards.clear()
            self.bus.publish({"type": "catalog"})  # the other workers and hosts
        elif tables & STATS:
            self.boards.clear()  # the others hear the booking/visit/status message itself


def row_of(obj) -> dict:
    """An ORM object's column values, to rebuild it later without a query."""
    return {attr.key: getattr(obj, attr.key) for attr in inspect(type(obj)).column_attrs}


def rebuild(model, row: dict, session: Session):
    """The object `row_of` saw, attached to `session` as persistent and loaded, no query."""
    return attach(detached(model, row), session)


def detached(model, row: dict):
    """The object `row_of` saw, as a detached loaded row (no session yet).

    Built the way SQLAlchemy builds a loaded row (no validation in __init__: the values came
    from the database), which is a third of the cost of calling the model.
    """
    obj = inspect(model).class_manager.new_instance()
    obj.__dict__.update(row)
    make_transient_to_detached(obj)
    return obj


def attach(obj, session: Session):
    """`obj` in `session`: itself, or the session's own instance of that row if it holds one
    already (which may have been changed)."""
    state = inspect(obj)
    if state.session is session:
        return obj
    present = session.identity_map.get(state.key)
    if present is not None:
        return present
    session.add(obj)
    return obj


MISSING = object()  # cached "no such row"


def catalog_row(session: Session, model, key: Hashable, query):
    """The catalog row (an ORM object, or None) that `query()` finds, from this worker's
    cache when it holds it: shop codes, staff, branches, products and absences change rarely
    and every booking reads them. Cleared like the other caches (any catalog commit here,
    the catalog message from elsewhere, the TTL) and bypassed while the bus is degraded.

    A hit is one detached, loaded object shared by this worker's requests (building and
    attaching a copy per use was a twentieth of a booking): read it, never change it or add
    it to a session. A miss returns `query()`'s own row, in `session`.
    """
    caches = _by_engine.get(session.get_bind())
    if caches is None or not caches.trusted:
        return query()
    full_key = (model.__name__, key)
    row = caches.catalog.get(full_key)
    if row is not None:
        return None if row is MISSING else row
    generation = caches.catalog.generation
    obj = query()
    caches.catalog.put(full_key, MISSING if obj is None else detached(model, row_of(obj)), generation)
    return obj


def catalog_get(session: Session, model, pk: int):
    """session.get(model, pk) through catalog_row()."""
    return catalog_row(session, model, pk, lambda: session.get(model, pk))


def catalog_value(session: Session, key: Hashable, build):
    """A value computed from catalog tables (e.g. the set of staff phone numbers), cached
    under the same rules as catalog_row()."""
    caches = _by_engine.get(session.get_bind())
    if caches is None or not caches.trusted:
        return build()
    return caches.catalog.fetch(key, build)


_by_engine: "weakref.WeakKeyDictionary[Engine, Caches]" = weakref.WeakKeyDictionary()


def _touch(session: Session, names) -> None:
    touched = session.info.setdefault("touched_tables", set())
    touched.update(names)


@event.listens_for(Session, "after_flush")
def _after_flush(session, _context):
    _touch(session, {type(obj).__table__.name
                     for obj in (*session.new, *session.dirty, *session.deleted)
                     if hasattr(type(obj), "__table__")})


@event.listens_for(Session, "do_orm_execute")
def _statement(state):
    # Core and ORM-enabled INSERT/UPDATE/DELETE (the rollups' upserts, bulk updates).
    table = getattr(state.statement, "table", None)
    if not state.is_select and table is not None:
        _touch(state.session, {getattr(table, "name", "")})


@event.listens_for(Session, "after_commit")
def _after_commit(session):
    tables = session.info.pop("touched_tables", None)
    if not tables:
        return
    caches = _by_engine.get(session.get_bind())
    if caches is not None:
        caches.committed(tables)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session):
    session.info.pop("touched_tables", None)
