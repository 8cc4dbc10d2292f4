"""Every log record, in the app and in Rasa, is masked and stripped of control characters.

Why at record creation (``logging.setLogRecordFactory``) rather than in a
handler filter: handlers come and go (uvicorn, coloredlogs in Rasa, pytest's
capture), a record factory sees every record of the process once, whatever
logger or library made it, including the text of exceptions. So an entity value,
a citizen message quoted by a library warning or a forged Zalo ``event_name``
with a newline cannot reach a log file raw.

Stdlib only, Python 3.10 compatible: Rasa's process loads it too, through its
``--logging-config-file`` (``bot/logging.yml``), where :func:`rasa_filter` also
routes Python warnings (Rasa quotes whole messages in them) through logging
and redacts quoted text.
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

from api.masking import mask_pii

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Rasa quotes the citizen's whole message in some warnings ('…' or "…")
_QUOTED = re.compile(r"'[^'\n]{12,}'|\"[^\"\n]{12,}\"")
_installed: dict[str, Any] = {}


def clean_field(value: object, limit: int = 200) -> str:
    """A value safe to put in one log line: masked, no control characters, bounded."""
    text = _LINE_BREAK.sub(" ", str(value))
    return _CONTROL.sub("?", mask_pii(text))[:limit]


def clean_message(text: str, redact_quotes: bool = False) -> str:
    """Mask personal data, escape line breaks and drop other control characters."""
    if redact_quotes:
        text = _QUOTED.sub("'<redacted>'", text)
    return _CONTROL.sub("?", _LINE_BREAK.sub("\\\\n", mask_pii(text)))


def _scrub(record: logging.LogRecord, redact_quotes: bool) -> logging.LogRecord:
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a broken format string must not kill the log call
        message = str(record.msg)
    record.msg, record.args = clean_message(message, redact_quotes), None
    if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
        formatted = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        record.exc_text = _CONTROL.sub("?", mask_pii(formatted))
    return record


def install(redact_quotes: bool = False) -> None:
    """Wrap the process's log record factory once (idempotent)."""
    if "factory" in _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return _scrub(previous(*args, **kwargs), redact_quotes)

    _installed["factory"] = factory
    logging.setLogRecordFactory(factory)


def rasa_filter() -> logging.Filter:
    """Filter factory named in ``bot/logging.yml``: installs the scrubbing in Rasa's process."""
    install(redact_quotes=True)
    logging.captureWarnings(True)  # warnings.warn(...) texts go through the factory too
    return logging.Filter()
