"""Numbers that asked for no more SMS (a reply of TD, or an admin's entry)."""

from django.db import models

from notifications.masking import mask_address, normalise_number


class SmsOptOutQuerySet(models.QuerySet):
    def of_numbers(self, numbers):
        return set(self.filter(number__in=numbers).values_list("number", flat=True))


class SmsOptOut(models.Model):
    """A mobile number that receives no SMS from SWS, whatever template or event.

    The number is kept as such, not hashed: a hash of an 11-digit mobile is undone by trying every number
    in minutes, so it would protect nothing, and a keyed hash would be lost with a key rotation, silently
    sending to people who refused. The table is for city admins only and lists show the number masked.
    """

    class Source(models.TextChoices):
        REPLY = "reply", "短信回复退订（TD）"
        ADMIN = "admin", "管理员登记"

    number = models.CharField("手机号", max_length=20, unique=True)
    source = models.CharField("来源", max_length=10, choices=Source.choices, default=Source.ADMIN)
    note = models.CharField("备注", max_length=200, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = SmsOptOutQuerySet.as_manager()

    class Meta:
        verbose_name = "短信退订号码"
        verbose_name_plural = "短信退订号码"

    def __str__(self):
        return mask_address(self.number)

    def clean(self):
        self.number = normalise_number(self.number)
