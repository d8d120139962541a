"""Webhook: a signed JSON POST to a partner system's callback URL (the 12345 hotline's answers).

The outbox row's address is the URL, its body the JSON exactly as sent, its template code the id of the
key whose secret signs it; settings.WEBHOOK_SIGNING_SECRET names the function giving that secret (the app
that owns the keys provides it: notifications imports none of ours). Headers: X-Api-Key (key id),
X-Timestamp (unix seconds), X-Signature (hex HMAC-SHA256 of timestamp + "\\n" + body, as
`http.signed_headers`), Idempotency-Key (the row's key: the same answer sent again carries the same one).
A 2xx answer is delivered, whatever its body; 408, 429, 5xx and no answer are retried; other 4xx are dead.
"""

import time
import urllib.error
import urllib.request

from django.conf import settings
from django.utils.module_loading import import_string

from notifications.channels import Channel, Outgoing, PermanentError, RetryableError
from notifications.channels.http import RETRYABLE_STATUS, signed_headers


class WebhookBackend(Channel):
    def send(self, message: Outgoing) -> str:
        secret = import_string(settings.WEBHOOK_SIGNING_SECRET)(message.template_code)
        if not secret:
            raise PermanentError("回调签名密钥不存在")
        data = message.body.encode()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": message.key,
            **signed_headers(data, key=message.template_code, secret=secret, timestamp=str(int(time.time()))),
        }
        request = urllib.request.Request(message.address, data=data, method="POST", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            text = f"回调地址返回 HTTP {exc.code}"
            if exc.code in RETRYABLE_STATUS or exc.code >= 500:
                raise RetryableError(text) from None
            raise PermanentError(text) from None
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            reason = getattr(exc, "reason", exc)
            raise RetryableError(f"回调地址无法连接：{type(reason).__name__}") from None
        return ""
