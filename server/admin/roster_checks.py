"""What a roster row is checked against: the organisation and the staff the database holds.

A mistyped branch, grid or team is an error naming the nearest existing names, unless the row
asks for it to be created (新建 = 是); a grid or team belongs to one branch; a staff number or a
phone number belongs to one person.
"""
import difflib
from dataclasses import dataclass

from sqlmodel import Session, select

from server.models import Branch, Employee, Grid, Team

ORG = (("branch", Branch, "支行"), ("grid", Grid, "网格"), ("team", Team, "团队"))
LABELS = {key: label for key, _, label in ORG}
SIMILAR = 0.6  # below this, two names share little more than their suffix (…支行, …网格)


def counted(counts: dict[str, int]) -> str:
    """`1 个支行、2 个网格`: the units an import would create, kinds with none left out."""
    return "、".join(f"{n} 个{LABELS[key]}" for key, n in counts.items() if n)


def nearest(value: str, names, n: int = 3) -> list[str]:
    """The existing names closest to a mistyped one, compared character by character (Chinese
    names have no spelling but their characters: 矿区支行 → 城区支行)."""
    return difflib.get_close_matches(value, list(names), n=n, cutoff=SIMILAR)


@dataclass
class Known:
    """The database's side, read once per plan: names, and who holds each staff and phone number."""

    branches: dict[str, int]  # name -> id
    branch_names: dict[int, str]  # id -> name
    units: dict[str, dict[str, int]]  # "grid" / "team" -> {name: branch id}
    unit_names: dict[str, dict[int, str]]  # "grid" / "team" -> {id: name}
    staff: dict[str, Employee]  # staff number -> employee
    phones: dict[str, list[Employee]]  # phone number -> who has it (old data may share one)

    @classmethod
    def load(cls, db: Session) -> "Known":
        branches = list(db.exec(select(Branch)))
        units = {key: list(db.exec(select(model))) for key, model, _ in ORG[1:]}
        staff = {e.staff_no: e for e in db.exec(select(Employee))}
        phones: dict[str, list[Employee]] = {}
        for e in staff.values():
            if e.phone:
                phones.setdefault(e.phone, []).append(e)
        return cls(branches={b.name: b.id for b in branches}, branch_names={b.id: b.name for b in branches},
                   units={k: {u.name: u.branch_id for u in rows} for k, rows in units.items()},
                   unit_names={k: {u.id: u.name for u in rows} for k, rows in units.items()},
                   staff=staff, phones=phones)

    def names(self, key: str) -> dict[str, int]:
        """The existing names of one kind (branch, grid, team)."""
        return self.branches if key == "branch" else self.units[key]

    def exists(self, key: str, name: str) -> bool:
        return name in self.names(key)

    def name_of(self, key: str, pk: int | None) -> str:
        if not pk:
            return ""
        return self.branch_names[pk] if key == "branch" else self.unit_names[key][pk]


class Organisation:
    """The names the file may use: those the database has, and those rows ask to create."""

    def __init__(self, known: Known, rows: list[tuple[int, dict]]):
        self.known = known
        self.created: dict[str, dict[str, str]] = {key: {} for key in LABELS}  # name -> its branch
        for _, row in rows:
            for key in LABELS:
                name = row[key]
                if row["create"] and name and not known.exists(key, name):
                    self.created[key].setdefault(name, row["branch"])

    def problems(self, row: dict) -> list[tuple[str, str]]:
        """(column, reason) for each name of the row that is unknown or in another branch."""
        found = []
        for key, label in LABELS.items():
            name = row[key]
            if not name:
                continue
            if not self.known.exists(key, name) and name not in self.created[key]:
                found.append((label, self._unknown(key, name)))
            elif key != "branch" and self._branch_of(key, name) != row["branch"]:
                found.append((label, f"{name}属于{self._branch_of(key, name)}，不属于{row['branch']}"))
        return found

    def _branch_of(self, key: str, name: str) -> str:
        if name in self.created[key]:
            return self.created[key][name]
        return self.known.branch_names.get(self.known.units[key][name], "")

    def _unknown(self, key: str, name: str) -> str:
        """`没有这个支行：矿区支行。您是不是要找：城区支行？若要新建，请在“新建”列填“是”。`"""
        near = nearest(name, [*self.known.names(key), *self.created[key]])
        text = f"没有这个{LABELS[key]}：{name}。"
        if near:
            text += f"您是不是要找：{'、'.join(near)}？"
        return text + "若要新建，请在“新建”列填“是”。"

    def to_create(self) -> list[tuple[str, str]]:
        """(kind, name) of every branch, grid and team the import would create."""
        return [(key, name) for key in LABELS for name in self.created[key]]


def identity_problem(known: Known, row: dict) -> str:
    """A staff number already held by someone else: neither the name nor the phone matches
    (a typo in 工号 would otherwise rename a colleague and hand them this row's data)."""
    held = known.staff.get(row["staff_no"])
    if held is None or held.name == row["name"] or (row["phone"] and row["phone"] == held.phone):
        return ""
    return (f"{row['staff_no']} 已是{held.name}的工号，姓名和手机号都对不上：请核对工号"
            f"（同一人改名时，手机号请与系统中一致）")


def phone_problem(known: Known, row: dict, in_file: set[str]) -> str:
    """A phone number another employee keeps after the import (one not in this file: those in
    it get the file's numbers, and duplicates within the file are found apart)."""
    for holder in known.phones.get(row["phone"], []) if row["phone"] else []:
        if holder.staff_no != row["staff_no"] and holder.staff_no not in in_file:
            gone = "；其已离职，可在本文件中加入其一行并清空手机" if holder.disabled else ""
            return f"已是{holder.name}（{holder.staff_no}）的手机号{gone}"
    return ""
