"""A logging filter that masks ID numbers and mobile numbers in every record before any handler writes it.

Installed on the handlers in settings.LOGGING (a filter on a handler sees the records propagated from
every logger, a filter on a logger only its own). It formats the message with its arguments first, so
a number passed as an argument (`log.info("found %s", id_number)`) is masked too, and it masks the text
of an attached traceback (database errors quote the offending value).
"""

import logging

from pythonjsonlogger.json import JsonFormatter

from sws.security.masking import mask_personal_data


class MaskPersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the raw text, masked
            message = str(record.msg)
        record.msg = mask_personal_data(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_personal_data(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_personal_data(record.stack_info)
        return True


class MaskedJsonFormatter(JsonFormatter):
    """JSON lines (LOG_FORMAT=json). The JSON formatter renders a traceback again from the record's
    exc_info rather than the exc_text the filter masked: mask what it renders too."""

    def formatException(self, ei) -> str:
        return mask_personal_data(super().formatException(ei))

    def formatStack(self, stack_info) -> str:
        return mask_personal_data(super().formatStack(stack_info))
