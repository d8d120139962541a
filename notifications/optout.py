"""Opting out of SMS: a resident replies TD (or 退订), or an admin enters the number."""

import logging

from notifications.masking import mask_address, normalise_number
from notifications.models import SmsOptOut

log = logging.getLogger("notifications.optout")

OPT_OUT_REPLIES = {"TD", "T", "退订", "N"}


def record_opt_out(number, *, source=SmsOptOut.Source.REPLY, note=""):
    """Put `number` on the opt-out list (again is no error); from now on it gets no SMS."""
    number = normalise_number(number)
    opt_out, created = SmsOptOut.objects.get_or_create(
        number=number, defaults={"source": source, "note": note}
    )
    if created:
        log.info("SMS opt-out recorded for %s (%s)", mask_address(number), source)
    return opt_out


def handle_inbound_sms(number, text):
    """A reply from a resident, as the gateway's inbound hook hands it over: TD and its kin opt out.
    Returns True when it was an opt-out (the text itself is not kept)."""
    if (text or "").strip().upper() in OPT_OUT_REPLIES:
        record_opt_out(number, source=SmsOptOut.Source.REPLY)
        return True
    return False
