"""Personal data never reaches the logs in full: ID numbers and mobile numbers are masked by a filter on
every handler, in the message, its arguments and tracebacks."""

import io
import logging

import pytest

from sws.security.logfilters import MaskPersonalDataFilter
from sws.security.masking import mask_audit_value, mask_personal_data
from tests.security.conftest import id_number

ID = id_number(5)
MASKED_ID = f"{ID[:6]}********{ID[-4:]}"


def record(msg, *args, exc_info=None):
    return logging.LogRecord("sws.test", logging.INFO, __file__, 1, msg, args, exc_info)


def filtered(rec):
    assert MaskPersonalDataFilter().filter(rec) is True
    return rec


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"居民身份证号{ID}已登记", f"居民身份证号{MASKED_ID}已登记"),
        ("电话13812345678", "电话138****5678"),
        ("电话 138-1234-5678 和 +86 139 8765 4321", "电话 138-****-5678 和 +86 139 **** 4321"),
        (
            "区划代码120113001009与受理编号120113001-2026-00042",
            "区划代码120113001009与受理编号120113001-2026-00042",
        ),
        ("座机022-26391234", "座机022-26391234"),
        ("12345678901", "12345678901"),  # not a mobile prefix
    ],
)
def test_masking(text, expected):
    assert mask_personal_data(text) == expected


def test_the_message_and_its_arguments_are_masked():
    rec = filtered(record("found %s with phone %s", ID, 13812345678))
    assert rec.getMessage() == f"found {MASKED_ID} with phone 138****5678"


def test_a_traceback_is_masked():
    try:
        raise ValueError(f"duplicate key value (id_number)=({ID})")
    except ValueError:
        import sys

        rec = filtered(record("integrity error", exc_info=sys.exc_info()))
    assert ID not in rec.exc_text and MASKED_ID in rec.exc_text


def test_every_configured_handler_masks():
    def ours(logger):  # the settings' stream handlers (pytest adds capturing handlers of its own)
        return [h for h in logging.getLogger(logger).handlers if type(h) is logging.StreamHandler]

    handlers, server = ours(""), ours("django.server")
    assert handlers and server
    for handler in handlers + server:
        assert any(isinstance(f, MaskPersonalDataFilter) for f in handler.filters), handler
    assert not logging.getLogger("django").handlers  # Django's own handlers replaced: it propagates to root
    stream = io.StringIO()
    handler = handlers[0]
    old = handler.setStream(stream)
    try:
        logging.getLogger("sws.anything").warning("居民 %s 电话 %s", ID, "13812345678")
    finally:
        handler.setStream(old)
    line = stream.getvalue()
    assert MASKED_ID in line and "138****5678" in line and ID not in line and "13812345678" not in line


def test_audit_values_are_masked():
    assert mask_audit_value(ID) == MASKED_ID
    assert mask_audit_value("13812345678") == "138****5678"
    assert mask_audit_value("022-26391234") == "********1234"
    assert mask_audit_value("") == "" and mask_audit_value("None") == "None"
