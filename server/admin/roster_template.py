"""The roster template (花名册模板): the headers the import reads and one example row that passes
its dry run on this bank, as XLSX (with drop-down lists and a sheet explaining each column) or CSV."""
import csv
import io

from sqlmodel import Session, select

from server.admin import roster
from server.models import Branch, Employee, Grid

NOTES = {
    "工号": "必填；唯一，如 YQ0101。已有的工号即更新该员工",
    "姓名": "必填；最多 40 个字",
    "手机": "选填；11 位手机号码，不能与其他员工重复",
    "支行": "必填；须为系统中已有的支行，新支行请在“新建”列填“是”",
    "网格": "选填；须为该支行已有的网格，新网格请在“新建”列填“是”",
    "团队": "选填；须为该支行已有的团队，新团队请在“新建”列填“是”",
    "等级": "见习 / 初级 / 中级 / 高级",
    "条线": "公司类 / 微贷类 / 无（空 = 无）",
    "角色": "员工 / 网格长 / 支行长 / 管理员（空 = 员工）",
    "在岗": "是 / 否（空 = 是；否 = 已离职）",
    "新建": "是 / 否（空 = 否）：本行的支行、网格、团队若系统中没有，是否新建",
}
OPTIONAL_NOTES = {"职务": "选填，最多 40 个字", "简介": "选填，最多 300 个字", "英文职务": "选填，最多 60 个字",
                  "英文简介": "选填，最多 400 个字"}
TEXT_COLUMNS = ("工号", "手机")  # kept as text: a spreadsheet would turn 13903530101 into 1.39E+10


def example(db: Session) -> list[str]:
    """One row that this bank's dry run accepts as a new employee: its first branch and grid, a
    staff number no one has, no phone (so it clashes with no one's)."""
    branch = db.exec(select(Branch).order_by(Branch.id)).first()
    grid = db.exec(select(Grid).where(Grid.branch_id == branch.id).order_by(Grid.id)).first() if branch else None
    taken = set(db.exec(select(Employee.staff_no)))
    staff_no = next(f"YQ{n}" for n in range(9001, 10_000_000) if f"YQ{n}" not in taken)
    values = {"工号": staff_no, "姓名": "张三", "手机": "", "支行": branch.name if branch else "城区支行",
              "网格": grid.name if grid else "", "团队": "", "等级": "见习", "条线": "微贷类", "角色": "员工",
              "在岗": "是", "新建": "否" if branch else "是"}
    return [values[h] for h in roster.COLUMNS]


def as_csv(db: Session) -> bytes:
    """The template as CSV, UTF-8 with a BOM so Excel opens the Chinese as Chinese."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(list(roster.COLUMNS))
    writer.writerow(example(db))
    return ("\ufeff" + text.getvalue()).encode("utf-8")


def as_xlsx(db: Session) -> bytes:
    """The template as XLSX: the roster sheet first (the one the import reads), drop-downs for
    the coded columns, and a 填写说明 sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = "花名册"
    headers = list(roster.COLUMNS)
    sheet.append(headers)
    sheet.append(example(db))
    sheet.freeze_panes = "A2"
    for i, header in enumerate(headers, start=1):
        column = sheet.cell(row=1, column=i).column_letter
        sheet.cell(row=1, column=i).font = Font(bold=True)
        sheet.column_dimensions[column].width = 14
        if header in TEXT_COLUMNS:
            sheet.column_dimensions[column].number_format = "@"  # cells typed in later too
            sheet.cell(row=2, column=i).number_format = "@"
        key = roster.COLUMNS[header]
        if key in roster.CHOICES:
            allowed = ",".join(c for c in roster.CHOICES[key] if c)
            rule = DataValidation(type="list", formula1=f'"{allowed}"', allow_blank=True)
            rule.add(f"{column}2:{column}{roster.MAX_ROWS + 1}")
            sheet.add_data_validation(rule)
    notes = book.create_sheet("填写说明")
    notes.append(["列", "说明"])
    for header, note in {**NOTES, **OPTIONAL_NOTES}.items():
        notes.append([header, note])
    notes.append([])
    notes.append(["", "职务、简介、英文职务、英文简介四列可加在最后；文件中没有这些列时，不改动已填写的内容。"])
    notes.column_dimensions["B"].width = 80
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()
