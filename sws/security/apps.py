from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "sws.security"
    label = "security"
    verbose_name = "安全与审计"

    def ready(self):
        # Stamp the login time and the two-factor requirement into the session at every login
        # (the login view, the admin login and test clients alike).
        from django.contrib.auth.signals import user_logged_in

        from sws.security.sessions import on_login

        user_logged_in.connect(on_login, dispatch_uid="sws.security.on_login")

        # A forged id too big for its column is "no such row", not a database error (see lookups).
        from django.db.models import IntegerField

        from sws.security.lookups import IntegerFieldIn

        IntegerField.register_lookup(IntegerFieldIn)

        # check --deploy: superusers without an authenticator, the role policy switched off.
        from django.core.checks import Tags, register

        from sws.security import checks

        register(checks.superusers_without_authenticator, Tags.security, deploy=True)
        register(checks.two_factor_optional_in_production, Tags.security, deploy=True)
