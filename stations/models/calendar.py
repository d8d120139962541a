"""The working-day calendar: the days that break the weekly rule (public holidays on weekdays, make-up
working days 调休 on weekends). Every other day is worked Monday to Friday. Read by `stations.workdays`
only; admins keep it (the State Council publishes each year's arrangement in the autumn before)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDay(models.Model):
    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("放假")
        WORKING_DAY = "working_day", _("调休上班")

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("节日"), max_length=50, help_text=_("如：春节、国庆节"))
    note = models.CharField(_("依据"), max_length=200, blank=True, help_text=_("如：国务院办公厅通知的文号"))

    class Meta:
        verbose_name = _("工作日历")
        verbose_name_plural = _("工作日历")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name}{self.get_kind_display()}"

    def clean(self):
        # A make-up working day is a weekend worked; a weekday is worked anyway.
        if self.kind == self.Kind.WORKING_DAY and self.date and self.date.weekday() < 5:
            raise ValidationError({"kind": _("调休上班日应为周六或周日；周一至周五本就是工作日。")})

    @property
    def is_working(self) -> bool:
        return self.kind == self.Kind.WORKING_DAY
