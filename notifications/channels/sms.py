"""SMS backends: a file per message (demo and tests), the log line alone, and a provider's HTTP gateway."""

import json
import logging
import os
import tempfile
import time
from hashlib import sha256
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from notifications.channels import Channel, Outgoing, PermanentError
from notifications.channels.http import post_json, signed_headers
from notifications.masking import mask_address

log = logging.getLogger("notifications.sms")


def _logged(message: Outgoing, backend: str):
    # The masked number, the template and the key: never the text.
    log.info(
        "SMS %s to %s (template %s, key %s)",
        backend,
        mask_address(message.address),
        message.template_code or "-",
        message.key,
    )


class FileSmsBackend(Channel):
    """The demo's phone: each message a JSON file under settings.SMS_FILE_DIR, named after its key.

    The file is created with an exclusive link, so the same key never makes a second file: sending again
    after a crash returns the first file's id (the provider-side idempotency a real gateway gives)."""

    def send(self, message: Outgoing) -> str:
        folder = Path(settings.SMS_FILE_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        name = sha256(message.key.encode()).hexdigest()[:32]
        target = folder / f"{name}.json"
        record = {
            "key": message.key,
            "to": message.address,
            "template": message.template_code,
            "body": message.body,
            "sent_at": timezone.now().isoformat(),
        }
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=".sending-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(record, out, ensure_ascii=False)
            try:
                os.link(temporary, target)
            except FileExistsError:
                return name  # sent before under this key: once is enough
        finally:
            os.unlink(temporary)
        _logged(message, "written")
        return name


class ConsoleSmsBackend(Channel):
    """Nothing sent: the log line says a message would have gone (masked number, no text)."""

    def send(self, message: Outgoing) -> str:
        _logged(message, "not sent (console backend)")
        return ""


class HttpSmsBackend(Channel):
    """A provider's gateway: a signed JSON POST to SMS_HTTP_URL with the key as `out_id` and
    Idempotency-Key, so the provider drops a repeat of a message it already has."""

    def send(self, message: Outgoing) -> str:
        if not (settings.SMS_HTTP_URL and settings.SMS_HTTP_KEY and settings.SMS_HTTP_SECRET):
            raise PermanentError("短信网关未配置（SMS_HTTP_URL、SMS_HTTP_KEY、SMS_HTTP_SECRET）")
        payload = {
            "phone": message.address,
            "sign_name": settings.SMS_SIGN_NAME,
            "template": message.template_code,
            "content": message.body,
            "out_id": message.key,
        }
        timestamp = str(int(time.time()))
        answer = post_json(
            settings.SMS_HTTP_URL,
            payload,
            service="短信网关",
            timeout=settings.SMS_HTTP_TIMEOUT,
            headers={"Idempotency-Key": message.key},
            sign=lambda data: signed_headers(
                data, key=settings.SMS_HTTP_KEY, secret=settings.SMS_HTTP_SECRET, timestamp=timestamp
            ),
        )
        _logged(message, "accepted by the gateway")
        return str(answer.get("message_id", ""))[:100]
