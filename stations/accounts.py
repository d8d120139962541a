"""Accounts: who may create, re-role and reset whom, and the one-time links that let a person choose
their own password. Staff never choose another person's working password.

- A new account has no usable password. Its activation link (the same kind of link resets a
  forgotten password) lets the person set one; it is single-use (Django's token covers the password
  hash and last login), replaced by any newer link, and expires after PASSWORD_RESET_TIMEOUT.
- Reach: a district centre account may create, re-role or reset only accounts with no more reach than
  its own: district centre colleagues of its district. A station account (worker or head) can do what a
  district account cannot (reveal a minor's full ID number), so when a district account creates one,
  gives an account a station role, or moves one to another station, the account is held with no usable
  password (`pending_confirmation`) until a city admin confirms it by issuing its activation link. A
  district account never gets a link, or a password, for a station account: it cannot obtain a session
  as a station user.
- Every link issued, and every password set with one, is in the audit trail
  (`stations.audit.record_password_event`).
"""

import secrets

from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from stations.access import is_admin, is_district_user
from stations.audit import record_password_event

ENROLMENT_CODE_LIFETIME = timezone.timedelta(days=3)


def may_issue_link(actor, user) -> bool:
    """Whether `actor` may issue an activation or reset link for `user` (never for themselves: they
    change their own password on the password page)."""
    if actor.pk == user.pk or not actor.is_active:
        return False
    if is_admin(actor):
        return True
    return (
        is_district_user(actor)
        and is_district_user(user)
        and user.district_id == actor.district_id
        and not user.is_superuser
        and not user.pending_confirmation
    )


def needs_city_confirmation(actor, user, previous=None) -> bool:
    """Whether saving `user` as `actor` gives an account more reach than `actor` has: a district account
    creating a station account, giving an account a station role or another station, or anything
    above district."""
    if is_admin(actor):
        return False
    if user.role not in user.STATION_ROLES and user.role != user.Role.DISTRICT_STAFF:
        return True
    if user.role == user.Role.DISTRICT_STAFF:
        return False
    if previous is None:
        return True
    return previous.role != user.role or previous.station_id != user.station_id


def hold_for_confirmation(user) -> None:
    """No usable password (any session of the account ends) until a city admin issues its link."""
    user.pending_confirmation = True
    user.set_unusable_password()


def issue_password_link(actor, user, request) -> str:
    """A one-time link for `user` to set their own password; the current password stops working.

    Issuing for an account held for confirmation confirms it (city admins only: `may_issue_link`).
    """
    if not may_issue_link(actor, user):
        raise PermissionError("无权为该账号发放链接。")
    activating = not user.has_usable_password() or user.last_login is None
    confirmed = user.pending_confirmation
    user.set_unusable_password()
    user.pending_confirmation = False
    user.save()
    if confirmed:
        event = f"市级管理员确认并发放激活链接（{actor.get_username()}）"
    elif activating:
        event = f"发放激活链接（{actor.get_username()}）"
    else:
        event = f"发放密码重置链接，原密码停用（{actor.get_username()}）"
    record_password_event(user, event)
    path = reverse(
        "security:password-link",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return request.build_absolute_uri(path)


def issue_enrolment_code(actor, user) -> str:
    """A one-time code the user types when binding their first authenticator (given out of band, so a
    password alone never binds one). City admins only."""
    if not is_admin(actor) or actor.pk == user.pk:
        raise PermissionError("只有市级管理员可为他人生成验证器绑定码。")
    return set_enrolment_code(user)


def set_enrolment_code(user) -> str:
    """A fresh enrolment code for `user` (replacing any earlier one); only its hash is kept. Also for
    `manage.py createsuperuser`'s first administrator, from the shell, and tests."""
    code = f"{secrets.randbelow(10**8):08d}"
    user.two_factor_enrolment_code = make_password(code)
    user.two_factor_enrolment_expires = timezone.now() + ENROLMENT_CODE_LIFETIME
    user.save(update_fields=["two_factor_enrolment_code", "two_factor_enrolment_expires"])
    return code


def enrolment_code_valid(user, code: str) -> bool:
    code = "".join((code or "").split())
    return bool(
        code
        and user.two_factor_enrolment_code
        and user.two_factor_enrolment_expires is not None
        and user.two_factor_enrolment_expires > timezone.now()
        and check_password(code, user.two_factor_enrolment_code)
    )


def use_enrolment_code(user) -> None:
    user.two_factor_enrolment_code = ""
    user.two_factor_enrolment_expires = None
    user.save(update_fields=["two_factor_enrolment_code", "two_factor_enrolment_expires"])
