"""Helpers for the care registry's tests: the default status types and rules, a resident in the programme."""

import datetime
import importlib

from residents import care
from residents.models import SupportStatusType, VisitPlan


def ensure_care_defaults():
    """The status types, visit frequencies and tier rules of migration 0017 (a transactional test elsewhere
    may have flushed them; loading is idempotent)."""
    if not SupportStatusType.objects.filter(code="living-alone").exists():
        from django.apps import apps

        migration = importlib.import_module("residents.migrations.0017_default_support_types_visit_rules")
        migration.add_defaults(apps, None)


def status_type(code):
    ensure_care_defaults()
    return SupportStatusType.objects.get(code=code)


def enrol(resident, user, tier=1, reason="独居高龄，行动不便", last_visited_on=None, next_due_on=None):
    """`resident` in the programme at `tier`, optionally with the dates of a plan already running."""
    ensure_care_defaults()
    plan = care.set_risk_tier(acting_user=user, resident=resident, tier=tier, reason=reason)
    changes = {}
    if last_visited_on is not None:
        changes["last_visited_on"] = last_visited_on
    if next_due_on is not None:
        changes["next_due_on"] = next_due_on
    if changes:
        VisitPlan.objects.filter(pk=plan.pk).update(**changes)
        plan.refresh_from_db()
    return plan


def days_ago(n, today=None):
    return (today or datetime.date.today()) - datetime.timedelta(days=n)
