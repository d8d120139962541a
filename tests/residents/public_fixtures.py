"""Helpers for the public QR intake tests: categories looked up by name (the data migration may or may
not have made them), a valid form payload, the CSRF token of a page."""

import re

from residents.forms_public import new_submission_token
from residents.models import Category, Severity, Urgency


def make_category(name="生活照料", severity=Severity.MILD, urgency=Urgency.NOT_URGENT, parent=None):
    category, _ = Category.objects.get_or_create(
        name=name,
        parent=parent,
        defaults={"default_severity": severity, "default_urgency": urgency},
    )
    return category


def intake_payload(category_obj, **overrides):
    data = {
        "category": str(category_obj.pk),
        "description": "楼道灯坏了一个星期，晚上上下楼看不见。",
        "reporter_name": "张阿姨",
        "reporter_phone": "13812345678",
        "consent": "on",
        "website": "",
        "token": new_submission_token(),
    }
    data.update(overrides)
    return data


def csrf_token_from(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
