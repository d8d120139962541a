"""Channels: the one interface every way out of SWS implements (SMS gateways, 企业微信 work messages).

A channel's `send(message)` delivers one `Outgoing` and returns the provider's message id ("" if it gives
none), or raises `RetryableError` (try again later: a timeout, a 5xx, a rate limit) or `PermanentError`
(retrying cannot help: a refused number, bad credentials). `message.key` is the outbox row's key: a
channel hands it to the provider as its idempotency key, so a message sent again after a worker crashed
is not delivered twice. Channels log addresses masked and never a body.

`get_channel(name)` picks the backend: "sms" by settings.SMS_BACKEND ("file", "console", "http" or a
dotted path), "wecom" the 企业微信 adapter, "webhook" a signed JSON POST to a partner's callback URL.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string


class DeliveryError(Exception):
    """A send that failed; the message (Chinese, no body, no full number) is kept as the row's error."""


class RetryableError(DeliveryError):
    pass


class PermanentError(DeliveryError):
    pass


@dataclass(frozen=True)
class Outgoing:
    key: str
    address: str
    body: str
    template_code: str = ""


class Channel:
    def send(self, message: Outgoing) -> str:
        raise NotImplementedError


SMS_BACKENDS = {
    "file": "notifications.channels.sms.FileSmsBackend",
    "console": "notifications.channels.sms.ConsoleSmsBackend",
    "http": "notifications.channels.sms.HttpSmsBackend",
}
CHANNELS = {
    "sms": lambda: SMS_BACKENDS.get(settings.SMS_BACKEND, settings.SMS_BACKEND),
    "wecom": lambda: "notifications.channels.wecom.WeComBackend",
    "webhook": lambda: "notifications.channels.webhook.WebhookBackend",
}


def get_channel(name: str) -> Channel:
    if name not in CHANNELS:
        raise PermanentError(f"未知的发送渠道：{name}")
    return import_string(CHANNELS[name]())()
