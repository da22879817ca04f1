"""Messages to customers (one-time codes, receipts, reminders): through a sender chosen by CUSTOMER_SENDER.

A customer sender has `send(phone, kind, params) -> bool`: `kind` names the message (a
provider maps it to an approved SMS template) and `params` fill it in. "log" writes a line
with the kind only (never the number, the code or the text); "memory" keeps the messages in
the process for tests and demos; "aliyun" and "tencent" send texts (server/customers/sms.py);
"package.module:ClassName" plugs in another provider.
"""
import importlib
import logging
from typing import Protocol

log = logging.getLogger("yryd.customers")

TEXTS = {  # what a message says when the sender writes text rather than filling a template
    "code": "【{bank}】验证码 {code}，{minutes} 分钟内有效。请勿告诉他人，银行工作人员不会向您索要。",
    "receipt": "【{bank}】您已预约 {time}，由{manager}为您办理。查看、改期或取消：{link}",
    "reminder": "【{bank}】提醒：您预约了 {time}，由{manager}为您办理。查看、改期或取消：{link}",
}


class CustomerSender(Protocol):
    def send(self, phone: str, kind: str, params: dict) -> bool: ...


class LogSender:
    """One log line a message, naming only its kind: for development and pilots."""

    def send(self, phone: str, kind: str, params: dict) -> bool:
        log.info("customer message: %s", kind)
        return True


class MemorySender:
    """Keeps what was sent, in this process, for tests and demos (never for production)."""

    def __init__(self):
        self.sent: list[dict] = []

    def send(self, phone: str, kind: str, params: dict) -> bool:
        self.sent.append({"phone": phone, "kind": kind, "params": dict(params)})
        return True

    def last(self, phone: str, kind: str = "code") -> dict | None:
        return next((m for m in reversed(self.sent) if m["phone"] == phone and m["kind"] == kind), None)


def load(spec: str, config: dict | None = None) -> CustomerSender:
    """"log", "memory", "aliyun", "tencent" (SMS_* settings) or "package.module:ClassName"."""
    if spec in ("", "log"):
        return LogSender()
    if spec == "memory":
        return MemorySender()
    if spec in ("aliyun", "tencent"):
        from server.customers import sms

        return (sms.AliyunSender if spec == "aliyun" else sms.TencentSender)(config or {})
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)()


def render(kind: str, params: dict) -> str:
    """The message as text, for senders that send text."""
    return TEXTS[kind].format(**params)
