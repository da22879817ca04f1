"""Logging set-up: one line per record, user input unable to forge lines."""
import logging


class OneLineFormatter(logging.Formatter):
    """Escapes line breaks and other control characters, so input can never start a new line."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        if text.isprintable():  # nearly every line: one scan in C, not a generator per character
            return text
        return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode() for ch in text)


def configure(level: int = logging.INFO) -> None:
    root = logging.getLogger()
    if any(isinstance(h.formatter, OneLineFormatter) for h in root.handlers):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(OneLineFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("pikepdf").setLevel(logging.WARNING)  # (print kits) announces itself at INFO
