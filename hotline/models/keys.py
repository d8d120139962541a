"""API keys (接口密钥) of the systems that call SWS, and the log of every call they make.

A key is shown once, when it is made (`ApiKey.issue`): `sws_<key id>_<secret>`. Only a SHA-256 digest of
the secret is stored (the secret is 32 random bytes, so a plain digest is enough; no password hashing is
needed against guessing). A key is scoped to the whole city or to one district, expires, and is revoked
in the admin. Its callback URL and callback secret are where and how SWS signs the answers it sends back
(签收, 退回, 延期, 办结回复).
"""

import hashlib
import secrets

from django.db import models
from django.utils import timezone

from stations.models import District

KEY_PREFIX = "sws"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiKeyQuerySet(models.QuerySet):
    def usable(self, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiKey(models.Model):
    name = models.CharField("名称", max_length=100, unique=True, help_text="如：天津市12345热线")
    key_id = models.CharField("密钥编号", max_length=16, unique=True, editable=False)
    secret_digest = models.CharField(max_length=64, editable=False)
    district = models.ForeignKey(
        District,
        verbose_name="范围（区）",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text="留空为全市；选定一个区则只能读写该区的工单。",
    )
    expires_at = models.DateTimeField("有效期至", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    callback_url = models.URLField(
        "回调地址", blank=True, help_text="签收、退回、延期、办结回复发送到此地址。"
    )
    # Shared with the hotline to sign callbacks (HMAC-SHA256): SWS needs it in clear to sign.
    callback_secret = models.CharField("回调签名密钥", max_length=64, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True, editable=False)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = "接口密钥"
        verbose_name_plural = "接口密钥"
        ordering = ["name"]

    def __str__(self):
        return self.name

    @classmethod
    def issue(cls, *, name, district=None, expires_at=None, callback_url="") -> tuple["ApiKey", str]:
        """A new key and its plain value (shown once, never stored)."""
        key = cls(name=name, district=district, expires_at=expires_at, callback_url=callback_url)
        plain = key.set_new_secret()
        key.save()
        return key, plain

    def set_new_secret(self) -> str:
        self.key_id = self.key_id or secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        self.secret_digest = _digest(secret)
        self.callback_secret = self.callback_secret or secrets.token_hex(32)
        return f"{KEY_PREFIX}_{self.key_id}_{secret}"

    @classmethod
    def authenticate(cls, plain: str):
        """The usable key `plain` names, or None."""
        parts = (plain or "").strip().split("_", 2)
        if len(parts) != 3 or parts[0] != KEY_PREFIX:
            return None
        key = cls.objects.usable().select_related("district").filter(key_id=parts[1]).first()
        if key is None or not secrets.compare_digest(key.secret_digest, _digest(parts[2])):
            return None
        return key

    @property
    def is_usable(self):
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())

    @property
    def scope_label(self):
        return self.district.name if self.district_id else "全市"


class ApiCall(models.Model):
    """One call to the API: who (the key's name, kept if the key is deleted), what, the answer's status."""

    api_key = models.ForeignKey(ApiKey, verbose_name="密钥", on_delete=models.SET_NULL, null=True, blank=True)
    key_name = models.CharField("密钥名称", max_length=100, blank=True)
    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    method = models.CharField("方法", max_length=8)
    path = models.CharField("路径", max_length=300)
    status = models.PositiveSmallIntegerField("状态码")
    duration_ms = models.PositiveIntegerField("耗时（毫秒）", default=0)
    remote_addr = models.GenericIPAddressField("来源地址", null=True, blank=True)

    class Meta:
        verbose_name = "接口调用记录"
        verbose_name_plural = "接口调用记录"
        ordering = ["-at"]

    def __str__(self):
        return f"{self.key_name or '匿名'} {self.method} {self.path} {self.status}"
