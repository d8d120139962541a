"""What leaves the system: the outbox, one row per message and recipient, in the caller's transaction."""

from django.conf import settings
from django.db import models


class OutboxMessage(models.Model):
    """A message to deliver outside SWS (SMS, work message, callback).

    Written in the same transaction as the change that caused it (`notifications.outbox.enqueue`), delivered
    by a worker; `key` is unique per event and recipient, so enqueuing twice or delivering after a restart
    never sends twice.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "待发送"
        SENT = "sent", "已发送"
        DEAD = "dead", "发送失败"

    key = models.CharField("幂等键", max_length=200, unique=True)
    channel = models.CharField("渠道", max_length=20)
    address = models.CharField("接收地址", max_length=200)
    body = models.TextField("内容")
    template_code = models.CharField("模板", max_length=60, blank=True)
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人", null=True, blank=True, on_delete=models.SET_NULL
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试", auto_now_add=True)
    last_error = models.TextField("最近错误", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "待发消息"
        verbose_name_plural = "待发消息"
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self):
        return f"{self.channel} {self.key}"


# The inbox, preferences and message templates live in their own modules; imported here so that Django
# registers their models with this app.
from notifications.inbox import Notification, Preference  # noqa: E402,F401
from notifications.messages import MessageTemplate  # noqa: E402,F401
