"""System check: the personal-data key is present and long enough (manage.py check, check --deploy)."""

from django.conf import settings
from django.core import checks

from residents.crypto import MIN_SECRET_LENGTH


@checks.register(checks.Tags.security)
def personal_data_key(app_configs, **kwargs):
    secret = (getattr(settings, "PERSONAL_DATA_KEY", "") or "").strip()
    if len(secret) >= MIN_SECRET_LENGTH:
        return []
    return [
        checks.Error(
            f"PERSONAL_DATA_KEY is missing or shorter than {MIN_SECRET_LENGTH} characters.",
            hint="Set it in the environment; make one with secrets.token_urlsafe(32).",
            id="residents.E001",
        )
    ]
