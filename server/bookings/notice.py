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
}

# 2026-12-v1: the words of 2026-11-v1, plus one sentence naming the shop's random device id.
NOTICES["2026-12-v1"] = {lang: {**words, "sections": [
    (heading, text + extra) if i == 2 else (heading, text) for i, (heading, text) in enumerate(words["sections"])]}
    for lang, words, extra in (
        ("zh-CN", NOTICES["2026-11-v1"]["zh-CN"],
         "店铺页面还会在您的手机浏览器里保存一个随机生成的设备编号（不含任何手机信息），随访问和预约一起发送，"
         "只用于按每台手机每天计一次访问、发现同一设备的异常预约。"),
        ("en", NOTICES["2026-11-v1"]["en"],
         " The shop page also keeps a randomly generated device number in your phone's browser (nothing "
         "about the phone is in it) and sends it with visits and bookings, only to count one visit per "
         "phone a day and to spot unusual bookings from one device."))}


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
            "sections": [{"heading": h.format(**values), "text": t.format(**values)} for h, t in words["sections"]],
            "marketing": words["marketing"].format(**values)}


def check(config) -> None:
    """Refuse to start when the consent version in force has no text in every language."""
    version = config["CONSENT_VERSION"]
    missing = [lang for lang in LANGS if lang not in NOTICES.get(version, {})]
    if missing:
        raise RuntimeError(f"CONSENT_VERSION {version!r} has no privacy notice text for {missing} "
                           "in server/bookings/notice.py.")
