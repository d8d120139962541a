"""Personal and case values kept out of the change log: for the fields in settings.SWS_AUDIT_REDACTED_FIELDS
the trail records that the field changed, never the value (applied when an entry is written and again when
one is shown).
"""

from django.conf import settings

# Stands for a value that was there; empty stays empty, so "filled in" and "cleared" still read.
REDACTED = "［已隐去］"


def redacted_fields(app_label: str, model_name: str) -> dict:
    """settings.SWS_AUDIT_REDACTED_FIELDS for one model: {"fields": [...], "repr": bool}, or {}."""
    return getattr(settings, "SWS_AUDIT_REDACTED_FIELDS", {}).get(f"{app_label}.{model_name}", {})


def _redact_value(value):
    if value is None or value in ("", "None"):
        return value
    return REDACTED


def redact_changes(app_label: str, model_name: str, changes):
    """`changes` (auditlog's {field: [old, new]} or {field: {"type": "m2m", …}}) with the values of the
    model's redacted fields replaced by REDACTED: which field changed stays, what it held does not."""
    fields = set(redacted_fields(app_label, model_name).get("fields", ()))
    if not fields or not isinstance(changes, dict):
        return changes
    redacted = {}
    for name, value in changes.items():
        if name not in fields:
            redacted[name] = value
        elif isinstance(value, dict):  # many-to-many: how many were added or removed, not which
            objects = value.get("objects") or []
            redacted[name] = {**value, "objects": [REDACTED] * len(objects)}
        elif isinstance(value, list | tuple):
            redacted[name] = [_redact_value(item) for item in value]
        else:
            redacted[name] = _redact_value(value)
    return redacted


def redacted_repr(app_label: str, model_name: str, object_repr: str, object_pk) -> str:
    """The entry's object representation, or "#id" for models whose str() is personal (a name)."""
    if redacted_fields(app_label, model_name).get("repr"):
        return f"#{object_pk}"
    return object_repr


def redact_entry(app_label, model_name, changes, object_repr, object_pk):
    return (
        redact_changes(app_label, model_name, changes),
        redacted_repr(app_label, model_name, object_repr, object_pk),
    )
