"""Telling a manager about a new booking, outside the live channel.

`MessageSender` is where a domestic SMS or WeChat provider plugs in: write a class with
`send(employee, text) -> bool` and set MESSAGE_SENDER=package.module:ClassName. A send must
give up within notify.service.TIMEOUT_SECONDS: the message's lease (twice that, plus 30 s) is
what keeps another worker from sending it too while this one waits.
"""
import importlib
import logging
from typing import Protocol

from server.models import Employee

log = logging.getLogger("yryd.notify")


class MessageSender(Protocol):
    def send(self, employee: Employee, text: str) -> bool: ...


class LogSender:
    """Writes one log line per message (no number, no customer): for development and pilots."""

    def send(self, employee: Employee, text: str) -> bool:
        log.info("message to employee:%s (%d characters)", employee.id, len(text))
        return True


def load_sender(spec: str) -> MessageSender:
    """"log", or "package.module:ClassName" for a real provider."""
    if spec == "log":
        return LogSender()
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)()
