"""What leaves the system: the outbox, one row per message and recipient, in the caller's transaction."""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from notifications.masking import mask_address


class OutboxQuerySet(models.QuerySet):
    def due(self, now):
        """Pending messages whose time has come: new ones, retries past their backoff, and claimed ones
        whose worker's lease ran out (a claim moves `next_attempt_at` to the end of the lease)."""
        return self.filter(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=now)

    def undelivered(self):
        return self.filter(status=OutboxMessage.Status.PENDING)

    def sms_sent_since(self, addresses, since):
        """{address: SMS sent to it since `since`} for the given addresses (the daily limit's count)."""
        rows = (
            self.filter(
                channel=OutboxMessage.SMS,
                address__in=addresses,
                status=OutboxMessage.Status.SENT,
                sent_at__gte=since,
            )
            .values("address")
            .annotate(n=models.Count("pk"))
            .order_by()
        )
        return {row["address"]: row["n"] for row in rows}


class OutboxMessage(models.Model):
    """A message to deliver outside SWS (SMS, work message, callback).

    Written in the same transaction as the change that caused it (`notifications.outbox.enqueue`), delivered
    by a worker (`notifications.delivery`); `key` is unique per event and recipient and is handed to the
    channel as its idempotency key, so enqueuing twice or delivering after a crash never sends twice. The
    row is the record of what was sent: to whom, which template, when, delivered or failed. Its body is
    never logged nor shown in the admin.
    """

    SMS = "sms"
    WECOM = "wecom"
    WEBHOOK = "webhook"

    class Status(models.TextChoices):
        PENDING = "pending", "待发送"
        SENT = "sent", "已发送"
        DEAD = "dead", "发送失败"
        SKIPPED = "skipped", "未发送（拦截）"

    class SkipReason(models.TextChoices):
        RATE_LIMITED = "rate_limited", "超过每日条数上限"
        OPTED_OUT = "opted_out", "号码已退订"

    key = models.CharField("幂等键", max_length=200, unique=True)
    channel = models.CharField("渠道", max_length=20)
    address = models.CharField("接收地址", max_length=200)
    body = models.TextField("内容")
    template_code = models.CharField("模板", max_length=60, blank=True)
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人", null=True, blank=True, on_delete=models.SET_NULL
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    skip_reason = models.CharField("拦截原因", max_length=20, choices=SkipReason.choices, blank=True)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    # When the message is next due; while a worker holds it, the end of that worker's lease.
    next_attempt_at = models.DateTimeField("下次尝试", default=timezone.now)
    # The claim of the worker that holds it: only that claim may mark it sent or failed.
    claim = models.UUIDField("领取标记", null=True, blank=True, editable=False)
    last_error = models.CharField("最近错误", max_length=500, blank=True)
    provider_message_id = models.CharField("服务商消息编号", max_length=100, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        verbose_name = "待发消息"
        verbose_name_plural = "待发消息"
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
            # The daily SMS limit counts a number's messages sent today.
            models.Index(fields=["address", "status", "sent_at"], name="outbox_address_sent"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} {self.masked_address}"

    def get_channel_display(self):
        return {self.SMS: "短信", self.WECOM: "企业微信", self.WEBHOOK: "回调"}.get(
            self.channel, self.channel
        )

    @property
    def masked_address(self):
        return mask_address(self.address)

    @staticmethod
    def retry_delay(attempts: int) -> datetime.timedelta:
        """The backoff after the `attempts`-th failed attempt: the base, doubled each time, capped."""
        seconds = settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
        return datetime.timedelta(seconds=min(seconds, settings.OUTBOX_RETRY_MAX_SECONDS))

    @staticmethod
    def gives_up_after(attempts: int) -> bool:
        return attempts >= settings.OUTBOX_MAX_ATTEMPTS
