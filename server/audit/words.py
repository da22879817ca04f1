"""Audit entries in words: names instead of ids, in the reader's language, Asia/Shanghai time.

Entries store ids and references only (never personal data); this is where they become what a
person reads: 王丽（YQ0001）, 预约 YQ7K3P9D（刘** 138****5678）, 改为「已办结」（员工操作）.
"""
import re

from sqlmodel import Session, select

from server.bookings.privacy import ERASED_NAME
from server.clock import local
from server.models import AuditEntry, Booking, Branch, Customer, Employee, Grid, Product, Team, WallLink, mask_phone

ACTIONS = {
    "login": ("登录", "Login"), "login_failed": ("登录失败", "Failed login"), "logout": ("退出", "Logout"),
    "password_changed": ("修改密码", "Password changed"), "status_changed": ("预约状态变更", "Booking status"),
    "phone_revealed": ("查看完整手机号", "Phone revealed"),
    "availability_changed": ("修改可预约时间", "Hours changed"),
    "customer_erased": ("删除客户信息", "Customer erased"), "customer_exported": ("导出客户信息", "Customer exported"),
    "retention_run": ("到期数据清理", "Retention run"), "handover": ("客户继承", "Handover"),
    "out_of_office_set": ("设置休假代理", "Out of office set"),
    "channel_code_created": ("新建渠道二维码", "Channel code created"),
    "channel_code_renamed": ("渠道码改名", "Channel code renamed"),
    "channel_code_retired": ("停用渠道码", "Channel code retired"),
    "roster_imported": ("花名册导入", "Roster imported"), "org_changed": ("组织架构变更", "Organisation changed"),
    "booking_erased": ("删除一笔预约的信息", "Booking erased"),
    "checkin_verified": ("核验到店", "Arrival verified"), "checkin_failed": ("核验码错误", "Wrong check-in code"),
    "checkin_code_sent": ("发送到店确认码", "Check-in code sent"),
    "flag_confirmed": ("确认异常预约", "Flag confirmed"), "flag_cleared": ("解除异常标记", "Flag cleared"),
    "target_set": ("设定目标", "Target set"), "target_deleted": ("删除目标", "Target deleted"),
    "targets_imported": ("导入目标表", "Targets imported"),
    "level_review_exported": ("导出职级考评表", "Level review exported"),
    "bookings_exported": ("导出预约", "Bookings exported"),
    "message_failed": ("短信发送失败", "Text message failed"),
    "kit_printed": ("生成印刷物料", "Print kit made"), "report_made": ("生成通报", "Report made"),
    "wall_link_created": ("新建大屏链接", "Wall link created"), "wall_link_revoked": ("停用大屏链接", "Wall link withdrawn"),
}
REPORTS = {"day": ("{} 日通报", "daily report of {}"), "week": ("截至 {} 的周通报", "weekly report to {}"),
           "month": ("截至 {} 的月通报", "monthly report to {}")}
# Where an action came from, when not an address: the command line (`flask … --operator`).
SOURCES = {"cli": ("命令行", "command line")}
STATUSES = {"new": ("待联系", "to contact"), "contacted": ("已联系", "contacted"), "arrived": ("已到店", "arrived"),
            "completed": ("已办结", "completed"), "cancelled": ("已取消", "cancelled"),
            "no_show": ("未到店", "no-show")}
KINDS = {"booking": ("预约", "booking"), "customer": ("客户", "customer"), "staff": ("工号", "staff no."),
         "code": ("渠道码", "channel code"), "branch": ("支行", "branch"), "grid": ("网格", "grid"),
         "team": ("团队", "team"), "product": ("产品", "product"), "wall": ("大屏链接", "wall link")}
# Fixed phrases in details, and the patterns details are written in (see each audit.record call).
PHRASES = {"customer request": ("客户申请", "at the customer's request"),
           "admin on request": ("总行按客户申请删除", "by head office on request"),
           "created": ("新建", "created"), "updated": ("修改", "updated")}
PATTERNS = [
    (re.compile(r"(\w+) by (staff|customer)"),
     lambda m, w: w("改为「{}」（{}）", "set to {} ({})").format(
         _pick(STATUSES, m[1], w), w("员工操作", "by staff") if m[2] == "staff" else w("客户操作", "by the customer"))),
    (re.compile(r"to (employee:\d+); (.*)", re.S),
     lambda m, w: w("移交给 {}；原因：{}", "to {}; reason: {}").format(m[1], m[2])),
    (re.compile(r"(\d{4}-\d\d-\d\d)\.\.(\d{4}-\d\d-\d\d) to (employee:\d+)(?:; (.*))?", re.S),
     lambda m, w: w("{} 至 {}，由 {} 代理", "{} to {}, covered by {}").format(m[1], m[2], m[3])
     + (w("；事由：{}", "; reason: {}").format(m[4]) if m[4] else "")),
    (re.compile(r"(\d+) people, (pdf|zip)"), lambda m, w: w("{} 人，{}", "{} people, {}").format(m[1], m[2].upper())),
    (re.compile(r"(day|week|month) (\d{4}-\d\d-\d\d)( posted)?"),
     lambda m, w: w(*REPORTS[m[1]]).format(m[2]) + (w("，已推送", ", posted") if m[3] else "")),
    (re.compile(r"reason: (.*)", re.S), lambda m, w: w("原因：{}", "reason: {}").format(m[1])),
    (re.compile(r"(\d+) employees"), lambda m, w: w("{} 名员工", "{} employees").format(m[1])),
    (re.compile(r"(\d+) customers"), lambda m, w: w("{} 位客户", "{} customers").format(m[1])),
    (re.compile(r"retention (\d+) days"), lambda m, w: w("超过保存期限（{} 天）", "past retention ({} days)").format(m[1])),
]
EMPLOYEE_REF = re.compile(r"employee:(\d+)")


def rows(db: Session, entries: list[AuditEntry], lang: str) -> list[dict]:
    """The entries as the audit page and its CSV show them, in `lang` ("zh" or "en")."""
    names = _Names(db, entries)
    en = lang == "en"

    def w(zh: str, english: str) -> str:
        return english if en else zh

    return [{"at": local(e.at).replace(microsecond=0), "action": e.action,
             "action_label": _pick(ACTIONS, e.action, w),
             "actor": names.employee(e.actor_id, w) if e.actor_id else w("系统", "system"),
             "target": names.target(e.target, w), "detail": names.ids(_detail(e.detail, w), w),
             "source": _pick(SOURCES, e.source, w)} for e in entries]


def _pick(table: dict, key: str, w) -> str:
    return w(*table[key]) if key in table else key


def _detail(detail: str, w) -> str:
    if detail in PHRASES:
        return w(*PHRASES[detail])
    for pattern, say in PATTERNS:
        if m := pattern.fullmatch(detail):
            return say(m, w)
    return detail


def mask_name(name: str) -> str:
    """刘** : a customer's name as the audit page shows it."""
    return name if name == ERASED_NAME or not name else name[0] + "*" * max(len(name) - 1, 1)


class _Names:
    """Everything the entries refer to, loaded in one query per kind."""

    def __init__(self, db: Session, entries: list[AuditEntry]):
        self.db = db
        refs = {k: set() for k in KINDS} | {"employee": set()}
        for e in entries:
            kind, _, key = e.target.partition(":")
            if kind in refs:
                refs[kind].add(key)
            refs["employee"].update(EMPLOYEE_REF.findall(e.detail))
            if e.actor_id:
                refs["employee"].add(str(e.actor_id))
        ids = {k: [int(v) for v in values if v.isdigit()] for k, values in refs.items()}
        self.employees = self._by(Employee, Employee.id, ids["employee"])
        self.staff = self._by(Employee, Employee.staff_no, list(refs["staff"]))
        self.bookings = self._by(Booking, Booking.reference, list(refs["booking"]))
        customer_ids = ids["customer"] + [b.customer_id for b in self.bookings.values()]
        self.customers = self._by(Customer, Customer.id, customer_ids)
        self.walls = self._by(WallLink, WallLink.id, ids["wall"])
        ids["branch"] += [w.branch_id for w in self.walls.values() if w.branch_id]
        self.org = {kind: self._by(model, model.id, ids[kind]) for kind, model in
                    (("branch", Branch), ("grid", Grid), ("team", Team), ("product", Product))}

    def _by(self, model, column, keys: list) -> dict:
        if not keys:
            return {}
        return {getattr(row, column.key): row for row in self.db.exec(select(model).where(column.in_(keys)))}

    def employee(self, pk: int | None, w) -> str:
        person = self.employees.get(pk)
        return f"{person.name}（{person.staff_no}）" if person else w(f"员工 #{pk}", f"employee #{pk}")

    def ids(self, text: str, w) -> str:
        return EMPLOYEE_REF.sub(lambda m: self.employee(int(m[1]), w), text)

    def target(self, target: str, w) -> str:
        kind, _, key = target.partition(":")
        if kind == "employee" and key.isdigit():
            return self.employee(int(key), w)
        if kind not in KINDS:
            return target
        label = _pick(KINDS, kind, w)
        if kind == "booking" and key in self.bookings:
            booking = self.bookings[key]
            customer = self.customers.get(booking.customer_id)
            return f"{label} {key}（{self._customer(booking.name, customer.phone if customer else '', w)}）"
        if kind == "customer" and key.isdigit() and int(key) in self.customers:
            customer = self.customers[int(key)]
            return f"{label} {self._customer(customer.name, customer.phone, w)}"
        if kind == "staff" and key in self.staff:
            return f"{self.staff[key].name}（{key}）"
        if kind == "wall" and key.isdigit() and int(key) in self.walls:
            wall = self.walls[int(key)]
            branch = self.org["branch"].get(wall.branch_id)
            return f"{label}「{wall.label}」（{branch.name if branch else w('全行', 'whole bank')}）"
        if kind in self.org and key.isdigit() and int(key) in self.org[kind]:
            return f"{label} {self.org[kind][int(key)].name}"
        return f"{label} {key}"

    @staticmethod
    def _customer(name: str, phone: str, w) -> str:
        if name == ERASED_NAME:
            return w("信息已删除", "data erased")
        return f"{mask_name(name)} {mask_phone(phone)}"
