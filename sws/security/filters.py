"""Filters of the auditor's pages: who, what kind of record, when."""

import datetime

import django_filters
from auditlog.registry import auditlog
from axes.models import AccessFailureLog, AccessLog
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from stations.audit import AuditLogEntry, PersonalDataAccess

ACTION_LABELS = {
    AuditLogEntry.Action.CREATE: "新增",
    AuditLogEntry.Action.UPDATE: "修改",
    AuditLogEntry.Action.DELETE: "删除",
    AuditLogEntry.Action.ACCESS: "访问",
}


def audited_model_choices():
    """(content type id, model name) of every model the audit trail records, by name."""
    models = list(auditlog.get_models())
    types = ContentType.objects.get_for_models(*models)
    return sorted(
        ((types[m].pk, str(m._meta.verbose_name)) for m in models),
        key=lambda choice: choice[1],
    )


def _start_of(day: datetime.date):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class DateRangeFilterSet(django_filters.FilterSet):
    """`date_from`/`date_to` as whole local days, compared on the indexed timestamp column."""

    timestamp_field = "timestamp"

    date_from = django_filters.DateFilter(label="开始日期", method="filter_date_from")
    date_to = django_filters.DateFilter(label="结束日期", method="filter_date_to")

    # Before 1900 or in 9999 there is no record either way; and local midnight of year 1 (or the day
    # after 9999-12-31) cannot even be converted to UTC (an OverflowError, a 500): no bound then.
    def filter_date_from(self, queryset, name, value):
        if value.year < 1900:
            return queryset
        return queryset.filter(**{f"{self.timestamp_field}__gte": _start_of(value)})

    def filter_date_to(self, queryset, name, value):
        if value.year >= 9999:
            return queryset
        next_day = _start_of(value + datetime.timedelta(days=1))
        return queryset.filter(**{f"{self.timestamp_field}__lt": next_day})


class ChangeFilter(DateRangeFilterSet):
    user = django_filters.CharFilter(field_name="actor__username", label="操作人（用户名）")
    model = django_filters.ChoiceFilter(
        field_name="content_type", label="数据类型", choices=audited_model_choices
    )
    action = django_filters.ChoiceFilter(label="操作", choices=list(ACTION_LABELS.items()))
    object_id = django_filters.NumberFilter(label="记录编号")

    class Meta:
        model = AuditLogEntry
        fields = []


class AccessFilter(DateRangeFilterSet):
    timestamp_field = "at"

    user = django_filters.CharFilter(field_name="user__username", label="用户（用户名）")
    action = django_filters.ChoiceFilter(label="操作", choices=PersonalDataAccess.Action.choices)
    resident = django_filters.NumberFilter(label="居民编号", method="filter_resident")

    class Meta:
        model = PersonalDataAccess
        fields = []

    def filter_resident(self, queryset, name, value):
        return queryset.for_resident(value)


class LoginFilter(DateRangeFilterSet):
    timestamp_field = "attempt_time"

    user = django_filters.CharFilter(field_name="username", label="用户名")

    class Meta:
        model = AccessLog
        fields = []


class FailureFilter(LoginFilter):
    result = django_filters.ChoiceFilter(
        label="结果", choices=[("locked", "导致锁定"), ("failed", "密码错误")], method="filter_result"
    )

    class Meta:
        model = AccessFailureLog
        fields = []

    def filter_result(self, queryset, name, value):
        return queryset.filter(locked_out=value == "locked")
