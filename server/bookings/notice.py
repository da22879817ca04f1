"""The privacy notice a customer agrees to when booking (PIPL), per version and language.

The server serves the words and their version together, so the version stored with a consent
always leads back to the exact text the customer saw. A published version is never edited:
new words get a new version key here, and CONSENT_VERSION names the version in force (the app
refuses to start if that version has no text). Old versions stay, for the bookings that name them.
{bank}, {hotline} and {days} are filled in from BANK_NAME, BANK_HOTLINE and RETENTION_DAYS.
"""
LANGS = ("zh-CN", "en")  # the first is the default

NOTICES = {
    "2026-11-v1": {
        "zh-CN": {
            "title": "个人信息处理说明",
            "sections": [
                ("谁处理您的信息", "{bank}（以下简称“本行”）是您个人信息的处理者。"),
                ("为什么收集", "仅用于安排本次预约：由您的专属客户经理联系您、为您办理业务，"
                               "以后您再预约时也由这位客户经理为您服务；并用于核实预约是否真实"
                               "（例如同一号码重复预约）。不用于其他目的。"),
                ("收集哪些信息", "您填写的姓名、手机号码和备注，您选择的业务和预约时间，"
                                 "以及您是通过哪个二维码或海报（渠道）进入本店的。"),
                ("谁能看到", "只有为您服务的客户经理能看到您的完整手机号码；本行其他工作人员看到的号码"
                             "隐去中间四位（如 138****1234），因工作需要查看完整号码的，每次都会被记录。"),
                ("保存多久", "自您最后一次预约结束起保存 {days} 天，期满后删除您的姓名、手机号码和备注，"
                             "只保留不含个人身份的统计数字。"),
                ("如何撤回同意、删除信息", "您可以随时撤回同意：打开预约成功后给您的预约状态链接，"
                                         "点“撤回同意并删除我的个人信息”，未完成的预约会取消，"
                                         "姓名、手机号码和备注立即删除；也可以致电客服热线 {hotline}，由本行为您办理。"
                                         "想查阅、复制本行保存的您的信息，也请致电该热线。"),
            ],
            "marketing": "是否愿意以后了解本行的其他金融产品，是另外一项同意，完全自愿："
                         "不勾选不影响本次预约；勾选后可随时致电客服热线 {hotline} 撤回。",
        },
        "en": {
            "title": "How we use your personal information",
            "sections": [
                ("Who handles it", "{bank} (\"the bank\") is responsible for your personal information."),
                ("Why", "Only to arrange this appointment: your dedicated account manager contacts you "
                        "and serves you, and will serve you again when you book next time; and to check "
                        "that bookings are genuine (for example, one number booking again and again). "
                        "It is not used for anything else."),
                ("What we collect", "The name, mobile number and note you enter, the product and time you "
                                    "choose, and which QR code or poster (channel) brought you to this shop."),
                ("Who sees it", "Only the account manager serving you sees your full mobile number; other "
                                "bank staff see it masked (like 138****1234), and every time one of them "
                                "needs the full number for their work, it is logged."),
                ("How long we keep it", "{days} days after your last appointment; then your name, number and "
                                        "note are deleted, and only anonymous statistics remain."),
                ("How to withdraw and delete", "You can withdraw your consent at any time: open the private "
                                               "booking status link you get after booking and choose \"Withdraw "
                                               "consent and delete my data\" — open appointments are cancelled and "
                                               "your name, number and note deleted at once; or call the hotline "
                                               "{hotline} and the bank will do it for you. Call the same hotline "
                                               "for a copy of the information the bank holds about you."),
            ],
            "marketing": "Hearing about the bank's other financial products is a separate, optional consent: "
                         "leaving it unticked does not affect this booking, and you can withdraw it at any "
                         "time by calling the hotline {hotline}.",
        },
    },
    "2026-12-v2": {
        "zh-CN": {
            "title": "个人信息处理说明",
            "summary": [
                "只用于安排本次预约，由为您服务的客户经理联系您。",
                "只有为您服务的客户经理能看到您的完整手机号码。",
                "自最后一次预约结束起保存 {days} 天，之后删除。",
                "可随时在预约链接里撤回同意并删除，或致电 {hotline}。",
            ],
            "sections": [
                ("谁处理您的信息", "{bank}（以下简称“本行”）是您个人信息的处理者。"),
                ("为什么收集", "仅用于安排本次预约：由为您服务的客户经理联系您、为您办理业务；"
                               "您用短信验证码验证手机号后，以后再预约也由您的专属客户经理为您服务；"
                               "并用于核实预约是否真实（例如同一号码或同一台手机重复预约）。不用于其他目的。"),
                ("收集哪些信息", "您填写的姓名、手机号码和备注，您选择的业务和预约时间，"
                                 "您是通过哪个二维码或海报（渠道）进入本店的，以及本店页面在您手机浏览器里"
                                 "随机生成并保存的一个设备编号（不是设备指纹，清除浏览器数据即消失），"
                                 "用于识别同一台手机的重复预约。"),
                ("谁能看到", "只有为您服务的客户经理能看到您的完整手机号码；本行其他工作人员看到的号码"
                             "隐去中间四位（如 138****1234），因工作需要查看完整号码的，每次都会被记录。"
                             "只知道您手机号码的其他人，看不到您的任何预约和信息。"),
                ("保存多久", "自您最后一次预约结束起保存 {days} 天，期满后删除您的姓名、手机号码和备注，"
                             "只保留不含个人身份的统计数字。"),
                ("如何撤回同意、删除信息", "您可以随时撤回同意：打开预约成功后给您的预约状态链接，"
                                         "点“撤回同意并删除这笔预约的个人信息”，这笔预约（如未办理）会取消，"
                                         "其中的姓名和备注立即删除；要删除这个手机号在本行的全部预约信息，"
                                         "在同一页面用短信验证码确认手机号后即可办理；也可以致电客服热线 {hotline}，"
                                         "由本行为您办理。想查阅、复制本行保存的您的信息，也请致电该热线。"),
            ],
            "marketing": "是否愿意以后了解本行的其他金融产品，是另外一项同意，完全自愿："
                         "不勾选不影响本次预约；勾选后可随时致电客服热线 {hotline} 撤回。",
        },
        "en": {
            "title": "How we use your personal information",
            "summary": [
                "Only to arrange this appointment: the account manager serving you contacts you.",
                "Only the account manager serving you sees your full mobile number.",
                "Kept {days} days after your last appointment, then deleted.",
                "Withdraw and delete at any time from your booking link, or call {hotline}.",
            ],
            "sections": [
                ("Who handles it", "{bank} (\"the bank\") is responsible for your personal information."),
                ("Why", "Only to arrange this appointment: the account manager serving you contacts you and "
                        "serves you; once you confirm your number with a text-message code, your dedicated "
                        "account manager serves you next time too; and to check that bookings are genuine "
                        "(for example, one number or one phone booking again and again). It is not used for "
                        "anything else."),
                ("What we collect", "The name, mobile number and note you enter, the product and time you "
                                    "choose, which QR code or poster (channel) brought you to this shop, and a "
                                    "random device number the shop page creates and keeps in your phone's browser "
                                    "(not a fingerprint; clearing the browser's data removes it), used to notice "
                                    "repeated bookings from one phone."),
                ("Who sees it", "Only the account manager serving you sees your full mobile number; other "
                                "bank staff see it masked (like 138****1234), and every time one of them "
                                "needs the full number for their work, it is logged. Someone who only knows "
                                "your number sees none of your bookings or details."),
                ("How long we keep it", "{days} days after your last appointment; then your name, number and "
                                        "note are deleted, and only anonymous statistics remain."),
                ("How to withdraw and delete", "You can withdraw your consent at any time: open the private "
                                               "booking status link you get after booking and choose \"Withdraw "
                                               "consent and delete this booking's data\" — the booking is cancelled "
                                               "if still open and its name and note deleted at once; to delete "
                                               "everything the bank holds for your number, confirm the number with "
                                               "a text-message code on the same page; or call the hotline "
                                               "{hotline} and the bank will do it for you. Call the same hotline "
                                               "for a copy of the information the bank holds about you."),
            ],
            "marketing": "Hearing about the bank's other financial products is a separate, optional consent: "
                         "leaving it unticked does not affect this booking, and you can withdraw it at any "
                         "time by calling the hotline {hotline}.",
        },
    },
}


def language(raw: str | None) -> str:
    """The notice language for a `lang` argument: English when asked for, Chinese otherwise."""
    return "en" if (raw or "").strip().lower().startswith("en") else LANGS[0]


def text(config, lang: str | None = None, version: str | None = None) -> dict:
    """The notice `version` (default: the one in force) in `lang`, with the bank's details filled in."""
    version = version or config["CONSENT_VERSION"]
    lang = language(lang)
    words = NOTICES[version][lang]
    values = {"bank": config["BANK_NAME"], "hotline": config["BANK_HOTLINE"], "days": config["RETENTION_DAYS"]}
    return {"version": version, "lang": lang, "title": words["title"].format(**values),
            "summary": [line.format(**values) for line in words.get("summary", ())],
            "sections": [{"heading": h.format(**values), "text": t.format(**values)} for h, t in words["sections"]],
            "marketing": words["marketing"].format(**values)}


def check(config) -> None:
    """Refuse to start when the consent version in force has no text in every language."""
    version = config["CONSENT_VERSION"]
    missing = [lang for lang in LANGS if lang not in NOTICES.get(version, {})]
    if missing:
        raise RuntimeError(f"CONSENT_VERSION {version!r} has no privacy notice text for {missing} "
                           "in server/bookings/notice.py.")
