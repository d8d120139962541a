"""A JSON POST for the HTTP adapters, its failures sorted into retryable and permanent.

Retry: no answer in time, no connection, 408, 429 and every 5xx. Permanent: the other 4xx (the provider
refused the request itself: retrying sends the same refusal). The errors name the service and the status,
never what was sent.
"""

import hashlib
import hmac
import json
import urllib.error
import urllib.request

from notifications.channels import PermanentError, RetryableError

RETRYABLE_STATUS = {408, 429}


def post_json(
    url: str, payload: dict | None, *, service: str, timeout: float, headers=None, sign=None
) -> dict:
    """POST `payload` as JSON (GET when it is None) and return the JSON answer; `sign(data)` gives
    headers signing the bytes sent."""
    data = None if payload is None else json.dumps(payload, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json", **(headers or {}), **(sign(data) if sign else {})}
    request = urllib.request.Request(
        url, data=data, method="GET" if data is None else "POST", headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
    except urllib.error.HTTPError as exc:
        message = f"{service}返回 HTTP {exc.code}"
        if exc.code in RETRYABLE_STATUS or exc.code >= 500:
            raise RetryableError(message) from None
        raise PermanentError(message) from None
    except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, TimeoutError):
            raise RetryableError(f"{service}超时（{timeout:g} 秒）") from None
        raise RetryableError(f"{service}无法连接：{type(reason).__name__}") from None
    try:
        return json.loads(raw or b"{}")
    except ValueError:
        raise RetryableError(f"{service}的应答不是 JSON") from None


def signed_headers(data: bytes, *, key: str, secret: str, timestamp: str) -> dict:
    """HMAC-SHA256 of the timestamp and the body under the secret: the provider checks who sent it."""
    signature = hmac.new(secret.encode(), timestamp.encode() + b"\n" + data, hashlib.sha256).hexdigest()
    return {"X-Api-Key": key, "X-Timestamp": timestamp, "X-Signature": signature}
