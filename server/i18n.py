"""Messages the API returns, in Chinese first and English; codes in, sentences out."""
from flask import has_request_context, request

MESSAGES = {
    "validation": ("请检查标出的内容后再提交。", "Please check the highlighted fields."),
    "required": ("请填写此项。", "This field is required."),
    "invalid": ("格式不正确，请检查。", "This value is not valid."),
    "name_invalid": ("请填写姓名（1–20 个字）。", "Please enter your name (1–20 characters)."),
    "phone_invalid": ("请输入正确的 11 位手机号码。", "Please enter a valid 11-digit mainland mobile number."),
    "product_unknown": ("请选择要办理的业务。", "Please choose a product."),
    "slot_required": ("请选择预约时间，或选择“请回电话给我”。", "Please choose a time, or ask to be called back."),
    "slot_unavailable": ("这个时间不能预约，请选择其他时间。", "That time cannot be booked; please choose another."),
    "slot_taken": ("这个时间刚刚被约走了，请选择其他时间。", "That time was just taken; please choose another."),
    "consent_required": ("请阅读并勾选同意《个人信息处理说明》。", "Please read and accept the privacy notice."),
    "consent_outdated": ("说明已更新，请刷新页面后重新阅读并同意。", "The notice has changed; please reload and accept it again."),
    "note_too_long": ("备注最多 200 个字。", "The note can be at most 200 characters."),
    "status_invalid": ("未知的状态。", "Unknown status."),
    "bad_transition": ("这笔预约当前不能改为该状态。", "This booking cannot move to that status now."),
    "cannot_cancel": ("这笔预约已不能取消，如需帮助请致电客户经理。", "This booking can no longer be cancelled; please call your manager."),
    "idempotency_mismatch": ("同一个请求编号提交了不同的内容，请刷新页面后重试。", "This request key was used with different content; reload and try again."),
    "not_found": ("没有找到。", "Not found."),
    "grid_member_gone": ("为您安排的客户经理已不在本网格服务，请返回重新选择时间。", "The manager arranged for you no longer serves this grid; go back and choose a time again."),
    "code_wrong": ("验证码不正确，请核对短信后重新输入。", "That code is not right; check the text message and try again."),
    "code_expired": ("验证码已失效，请重新获取。", "The code has expired; ask for a new one."),
    "code_locked": ("输错次数过多，请重新获取验证码。", "Too many wrong tries; ask for a new code."),
    "proof_required": ("请先用短信验证码验证手机号。", "Please confirm your phone number with a text-message code first."),
    "shop_not_found": ("这个店铺链接无效，请向客户经理索取新的二维码。", "This shop link is not valid; ask your manager for a new QR code."),
    "status_not_found": ("预约链接无效或已过期。", "This booking link is not valid or has expired."),
    "login_failed": ("工号或密码不正确。", "Staff number or password is incorrect."),
    "password_short": ("新密码至少 8 位。", "The new password needs at least 8 characters."),
    "password_common": ("这个密码太常见，请换一个不易被猜到的。", "That password is too common; choose one that is hard to guess."),
    "password_wrong": ("当前密码不正确。", "The current password is incorrect."),
    "session_expired": ("登录已过期，请重新登录。", "Your session has expired; please log in again."),
    "cross_site": ("请从银行的页面提交。", "Please submit from the bank's own page."),
    "hours_invalid": ("时间段不正确：开始须早于结束，且同一天的时间段不能重叠。", "Hours are not valid: each range must start before it ends, without overlaps."),
    "days_off_invalid": ("休息日格式不正确（例如 2026-12-01），最多 60 天。", "Days off must be dates like 2026-12-01, at most 60."),
    "handover_target": ("接任者须是另一位在岗员工。", "The successor must be another active employee."),
    "staff_unknown": ("没有这个工号。", "No employee has this staff number."),
    "away_range": ("休假日期不正确：开始不晚于结束，且不早于今天，最长 90 天。", "Dates not valid: start on or before end, not in the past, at most 90 days."),
    "month_invalid": ("月份格式应为 年-月，例如 2026-12。", "The month must look like 2026-12."),
    "target_value": ("目标应为 0–100000 的整数，且至少一项大于 0。", "Targets must be whole numbers 0–100000, at least one above 0."),
    "targets_file": ("请上传 CSV 或 XLSX 格式的目标表。", "Upload the targets as a CSV or XLSX file."),
    "review_period_invalid": ("考核期应为季度（如 2026-Q4）或年度（如 2026）。", "The review period must be a quarter (2026-Q4) or a year (2026)."),
    "format_invalid": ("格式应为 csv 或 xlsx（海报为 png 或 md）。", "The format must be csv or xlsx (png or md for reports)."),
    "roster_file": ("请上传 CSV 或 XLSX 格式的花名册。", "Upload the roster as a CSV or XLSX file."),
    "org_name": ("名称须为 1–60 个字。", "The name must be 1–60 characters."),
    "product_name": ("产品名称须为 1–40 个字。", "The product name must be 1–40 characters."),
    "name_taken": ("名称已存在。", "This name is already taken."),
    "branch_unknown": ("没有这个支行。", "No such branch."),
    "choice_invalid": ("请从列表中选择。", "Please choose one of the options."),
    "code_invalid": ("代码须为 1–40 位小写字母、数字或“-”，例如 consumer-credit。", "The code must be 1–40 lowercase letters, digits or hyphens, e.g. consumer-credit."),
    "code_taken": ("代码已存在。", "This code is already taken."),
    "too_long": ("内容太长。", "This is too long."),
    "list_invalid": ("每项最多 30 个字，不能含“、”或逗号，总长度有限。", "Each item at most 30 characters, without 、 or commas; the list is limited in length."),
    "login_required": ("请先登录。", "Please log in."),
    "forbidden": ("没有权限。", "You do not have access to this."),
    "csrf": ("页面已过期，请刷新后重试。", "The page has expired; please reload and try again."),
    "too_large": ("提交的内容太大。", "The request is too large."),
    "bad_json": ("请求格式不正确（需要 JSON）。", "The request must be JSON."),
    "too_many": ("操作太频繁，请稍后再试。", "Too many requests; please wait and try again."),
    "range_invalid": ("日期范围不正确：开始不晚于结束，最长 366 天。", "Date range not valid: start on or before end, at most 366 days."),
    "period_invalid": ("未知的统计周期。", "Unknown period."),
    "busy": ("访问人数较多，请稍候几秒再试。", "We are busy right now; please try again in a few seconds."),
    "server_error": ("系统繁忙，请稍后再试。", "Something went wrong; please try again shortly."),
}


def lang() -> str:
    """'en' if the client asks for English first, else 'zh' (the default)."""
    if not has_request_context():
        return "zh"
    best = request.accept_languages.best_match(["zh", "zh-CN", "en"], default="zh")
    return "en" if best.startswith("en") else "zh"


def message(code: str) -> str:
    zh, en = MESSAGES.get(code, MESSAGES["invalid"])
    return en if lang() == "en" else zh
