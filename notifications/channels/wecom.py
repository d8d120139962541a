"""企业微信 work messages (channel "wecom"): a text message from the SWS app to a worker's 企业微信 user id.

The API: an access token from /cgi-bin/gettoken (kept in the cache until shortly before it expires), then
/cgi-bin/message/send. It has no idempotency key; its duplicate check (`enable_duplicate_check`, the same
text to the same user within 30 minutes is dropped) is what keeps a resend after a crash from arriving
twice, so the outbox lease must stay well under those 30 minutes (OUTBOX_LEASE_SECONDS, default 300 s).
"""

import logging
import urllib.parse

from django.conf import settings
from django.core.cache import cache

from notifications.channels import Channel, Outgoing, PermanentError, RetryableError
from notifications.channels.http import post_json
from notifications.masking import mask_address

log = logging.getLogger("notifications.wecom")
SERVICE = "企业微信"
TOKEN_CACHE_KEY = "notifications:wecom-token"
# errcodes worth another try: system busy, token invalid/expired (a new one is fetched), rate limits.
RETRYABLE_ERRCODES = {-1, 40001, 40014, 42001, 45009, 45033}
TOKEN_ERRCODES = {40001, 40014, 42001}
DUPLICATE_CHECK_SECONDS = 1800


def _timeout():
    return settings.SMS_HTTP_TIMEOUT


def _checked(answer: dict) -> dict:
    errcode = answer.get("errcode", 0)
    if errcode == 0:
        return answer
    if errcode in TOKEN_ERRCODES:
        cache.delete(TOKEN_CACHE_KEY)
    error = RetryableError if errcode in RETRYABLE_ERRCODES else PermanentError
    raise error(f"{SERVICE}返回错误码 {errcode}")


def access_token() -> str:
    token = cache.get(TOKEN_CACHE_KEY)
    if token:
        return token
    if not (settings.WECOM_CORP_ID and settings.WECOM_CORP_SECRET and settings.WECOM_AGENT_ID):
        raise PermanentError("企业微信未配置（WECOM_CORP_ID、WECOM_CORP_SECRET、WECOM_AGENT_ID）")
    query = urllib.parse.urlencode(
        {"corpid": settings.WECOM_CORP_ID, "corpsecret": settings.WECOM_CORP_SECRET}
    )
    answer = _checked(
        post_json(
            f"{settings.WECOM_API_BASE}/cgi-bin/gettoken?{query}", None, service=SERVICE, timeout=_timeout()
        )
    )
    token = answer["access_token"]
    cache.set(TOKEN_CACHE_KEY, token, max(int(answer.get("expires_in", 7200)) - 300, 60))
    return token


class WeComBackend(Channel):
    def send(self, message: Outgoing) -> str:
        query = urllib.parse.urlencode({"access_token": access_token()})
        payload = {
            "touser": message.address,
            "msgtype": "text",
            "agentid": int(settings.WECOM_AGENT_ID),
            "text": {"content": message.body},
            "enable_duplicate_check": 1,
            "duplicate_check_interval": DUPLICATE_CHECK_SECONDS,
        }
        answer = _checked(
            post_json(
                f"{settings.WECOM_API_BASE}/cgi-bin/message/send?{query}",
                payload,
                service=SERVICE,
                timeout=_timeout(),
            )
        )
        log.info(
            "work message to %s (template %s, key %s) accepted",
            mask_address(message.address),
            message.template_code or "-",
            message.key,
        )
        return str(answer.get("msgid", ""))[:100]
