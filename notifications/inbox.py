"""站内消息: one row per recipient and event occurrence. Nobody reads another person's messages, so the
scope of a notification is its recipient (`visible_to`), whatever the role."""

from django.conf import settings
from django.db import models
from django.db.models import Case, Value, When
from django.utils import timezone

from notifications.events import Event
from stations.access import ScopedQuerySet


class NotificationQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """One's own messages, and nobody else's (admins included)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(recipient=user)

    editable_by = visible_to

    def shown(self):
        """What the inbox lists: not those waiting for the user's daily digest."""
        return self.filter(held_for_digest=False)

    def unread(self):
        return self.shown().filter(read_at__isnull=True)

    def unread_first(self):
        return self.order_by(
            Case(When(read_at__isnull=True, then=Value(0)), default=Value(1)), "-created_at", "-pk"
        )

    def mark_read(self, now=None) -> int:
        return self.filter(read_at__isnull=True).update(read_at=now or timezone.now())


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人",
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    event = models.CharField("事件", max_length=30, choices=Event.choices)
    # "<event>:<object>[:<occurrence>]": an event reaches a person once, however often a job looks again.
    key = models.CharField(max_length=200)
    title = models.CharField("标题", max_length=300)
    url = models.CharField("链接", max_length=300, blank=True)
    # Further links ([label, url] pairs), e.g. the digest's "已超期" and "今日到期" lists.
    links = models.JSONField(default=list, blank=True)
    station = models.ForeignKey(
        "stations.Station",
        verbose_name="社工站",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("时间", default=timezone.now)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    held_for_digest = models.BooleanField("待每日汇总", default=False)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="notification_once")]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["recipient", "-created_at"], name="notification_recent"),
            models.Index(fields=["key"], name="notification_key"),  # the reminders' "already told?"
        ]

    def __str__(self):
        return self.title

    @property
    def is_read(self):
        return self.read_at is not None


class Preference(models.Model):
    """How a user hears about one event: inbox only, inbox + SMS, or in the daily digest."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    event = models.CharField("事件", max_length=30, choices=Event.choices)
    mode = models.CharField("接收方式", max_length=10)

    class Meta:
        verbose_name = "通知偏好"
        verbose_name_plural = "通知偏好"
        constraints = [models.UniqueConstraint(fields=["user", "event"], name="one_preference_per_event")]

    def __str__(self):
        return f"{self.user} {self.event} {self.mode}"
