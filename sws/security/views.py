"""Two-factor pages (enrol, verify) and the auditor's pages (changes, personal-data access, logins,
one resident's history). The auditor sees these and nothing else; everybody else gets 403 here."""

import datetime
from urllib.parse import urlencode

import segno
from axes.models import AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q, Subquery
from django.http import Http404
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from residents.models import Referral, Request, Resident
from residents.validators import contains_id_number
from stations.access import is_auditor, role_required
from stations.accounts import use_enrolment_code
from stations.audit import AuditLogEntry, PersonalDataAccess, redact_entry
from sws.security import filters
from sws.security.forms import EnrolmentForm, LinkSetPasswordForm, OwnPasswordChangeForm, TokenForm
from sws.security.sessions import TWO_FACTOR_REQUIRED
from sws.security.twofactor import is_verified

PAGE_SIZE = 50
MAX_ID = 2**63 - 1  # the largest id a database column holds: a larger one is no resident's


# --- Passwords -----------------------------------------------------------------------------------


class OwnPasswordChangeView(auth_views.PasswordChangeView):
    """Change one's own password (the current one first); also where a forced change lands."""

    form_class = OwnPasswordChangeForm
    template_name = "security/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "密码已修改。")
        return response


class PasswordLinkView(auth_views.PasswordResetConfirmView):
    """A one-time activation or reset link (stations.accounts.password_link): the user chooses their
    own password. The link stops working once used, or when a newer one is issued, or after
    PASSWORD_RESET_TIMEOUT."""

    form_class = LinkSetPasswordForm
    template_name = "security/password_link.html"
    success_url = reverse_lazy("login")
    post_reset_login = False

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "密码已设置，请用新密码登录。")
        return response


# --- Two-factor login ------------------------------------------------------------------------------


def _next_url(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    # A path of ours only: redirect() would take a bare word ("home") for a URL name and fail.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(url_name, next_path):
    return f"{resolve_url(url_name)}?{urlencode({'next': next_path})}"


def _confirmed_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_enrol(request):
    """Bind an authenticator app: scan the QR code (or type the key), confirm with a code.

    Replacing an authenticator needs the current one first: a password alone never binds a new one
    over an existing one.
    """
    user = request.user
    if _confirmed_device(user) is not None and not is_verified(user):
        return redirect(_with_next("security:two-factor-verify", request.get_full_path()))
    # Every visit shows the same pending authenticator (one row, one key), so a code from a QR code
    # scanned on an earlier visit still confirms it.
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="SWS 验证器", confirmed=False)
    else:
        # Older pending rows (two enrolment pages opened at the same moment) can never be confirmed:
        # the form binds to the newest.
        TOTPDevice.objects.filter(user=user, confirmed=False, pk__lt=device.pk).delete()
    # The first authenticator needs the enrolment code an admin gave out of band; replacing one needs
    # the current one (above) instead.
    first = _confirmed_device(user) is None
    form = EnrolmentForm(request.POST or None, device=device, user=user, needs_code=first)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            if first:
                use_enrolment_code(user)
        otp_login(request, device)
        request.session[TWO_FACTOR_REQUIRED] = True
        messages.success(request, "已绑定验证器。以后登录时，输入密码后还需输入验证器上的动态验证码。")
        return redirect(_next_url(request))
    qr = segno.make(device.config_url, error="m")
    context = {
        "form": form,
        "qr_svg": qr.svg_inline(scale=4, omitsize=True, dark="#1d1d1f", light="#ffffff"),
        "secret": _group(device_secret(device)),
        "already_enrolled": _confirmed_device(user) is not None,
        "required": bool(request.session.get(TWO_FACTOR_REQUIRED)),
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }
    return render(request, "security/two_factor_enrol.html", context)


def device_secret(device) -> str:
    import base64

    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


def _group(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request):
    """The second step of login: the 6-digit code from the user's authenticator."""
    device = _confirmed_device(request.user)
    if device is None:
        return redirect(_with_next("security:two-factor-enrol", request.get_full_path()))
    if is_verified(request.user):
        return redirect(_next_url(request))
    form = TokenForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        otp_login(request, device)
        return redirect(_next_url(request))
    next_url = request.POST.get("next") or request.GET.get("next", "")
    return render(request, "security/two_factor_verify.html", {"form": form, "next": next_url})


# --- Auditor's pages -------------------------------------------------------------------------------

auditor_only = role_required(is_auditor)


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _display_value(field, value):
    """A stored change value as an auditor reads it: choice labels, local times, #ids for links."""
    if value in ("None", None, ""):
        return ""
    if field is None:
        return value
    if getattr(field, "choices", None):
        return dict(field.choices).get(value, value)
    if field.is_relation:
        return f"#{value}"
    if field.get_internal_type() == "DateTimeField":
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, datetime.UTC)
        return f"{timezone.localtime(moment):%Y-%m-%d %H:%M:%S}"
    return value


def _change_rows(entries):
    """Entries with their changes as (field label, old, new) rows.

    auditlog also lists reverse relations and the primary key when an object is created; they say
    nothing, so they are left out here.
    """
    rows = []
    for entry in entries:
        model = entry.content_type.model_class()
        changes = []
        # Entries written before a field was redacted (until `manage.py redact_audit_history` has run)
        # show no more than new ones: the values of personal and case fields are never displayed.
        app_label, model_name = entry.content_type.app_label, entry.content_type.model
        entry_changes, object_repr = redact_entry(
            app_label, model_name, entry.changes_dict or {}, entry.object_repr, entry.object_pk
        )
        for field_name, value in entry_changes.items():
            field = None
            if model is not None:
                try:
                    field = model._meta.get_field(field_name)
                except FieldDoesNotExist:
                    field = None
                concrete = getattr(field, "concrete", True)
                noise = field is not None and (not concrete or getattr(field, "primary_key", False))
                if noise and not field.many_to_many:
                    continue
            label = str(getattr(field, "verbose_name", field_name)) if field is not None else field_name
            if isinstance(value, dict):  # many-to-many: {"type": "m2m", "operation": …, "objects": […]}
                sign = "增加" if value.get("operation") == "add" else "移除"
                changes.append((label, "", f"{sign}：{'、'.join(value.get('objects', []))}"))
                continue
            old, new = (list(value) + ["", ""])[:2]
            changes.append((label, _display_value(field, old), _display_value(field, new)))
        rows.append(
            {
                "entry": entry,
                "model_name": model._meta.verbose_name if model is not None else entry.content_type.model,
                "object_repr": "" if object_repr == f"#{entry.object_pk}" else object_repr,
                "action": filters.ACTION_LABELS.get(entry.action, entry.action),
                "changes": changes,
            }
        )
    return rows


@login_required
@auditor_only
def audit_changes(request):
    queryset = AuditLogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-pk")
    filterset = filters.ChangeFilter(request.GET or None, queryset=queryset)
    page = _page(request, filterset.qs)
    context = {"filter": filterset, "page": page, "rows": _change_rows(page.object_list), "tab": "changes"}
    return render(request, "audit/audit_changes.html", context)


@login_required
@auditor_only
def audit_access(request):
    queryset = PersonalDataAccess.objects.with_user().order_by("-at", "-pk")
    filterset = filters.AccessFilter(request.GET or None, queryset=queryset)
    page = _page(request, filterset.qs)
    return render(request, "audit/audit_access.html", {"filter": filterset, "page": page, "tab": "access"})


@login_required
@auditor_only
def audit_logins(request):
    """Failed logins (and the ones that locked an account) or successful logins and logouts."""
    failures = request.GET.get("kind", "failures") != "logins"
    if failures:
        filterset = filters.FailureFilter(request.GET or None, queryset=AccessFailureLog.objects.all())
    else:
        filterset = filters.LoginFilter(request.GET or None, queryset=AccessLog.objects.all())
    page = _page(request, filterset.qs.order_by("-attempt_time", "-pk"))
    context = {
        "filter": filterset,
        "page": page,
        "failures": failures,
        "extra_hidden": [("kind", "failures" if failures else "logins")],
        "tab": "logins",
    }
    return render(request, "audit/audit_logins.html", context)


@login_required
@auditor_only
def audit_resident_lookup(request):
    resident_id = request.GET.get("resident_id", "").strip()
    if contains_id_number(resident_id):
        # An ID number typed where the system's resident number belongs: never echoed or passed on.
        messages.error(request, "请输入系统内的居民编号（居民页面地址中的数字），不是身份证号。")
        return redirect("security:audit-resident-lookup")
    if resident_id:
        # isdecimal, not isdigit: "²" is a digit that int() refuses; and an id fits its column.
        if resident_id.isdecimal() and int(resident_id) <= MAX_ID:
            return redirect("security:audit-resident", resident_id=int(resident_id))
        messages.error(request, "居民编号应为数字。")
    return render(request, "audit/audit_resident_lookup.html", {"tab": "resident"})


@login_required
@auditor_only
def audit_resident(request, resident_id):
    """Everything recorded about one resident: changes to the record and to their requests and
    referrals, and every view, list, export and reveal of their personal data.

    The residents' tables are used only as id filters inside the audit queries (the auditor sees no
    case data); changes stay visible after the resident is deleted, through the resident's own id.
    """
    if resident_id > MAX_ID:
        raise Http404  # SQLite cannot even compare it (OverflowError)
    types = filters.ContentType.objects.get_for_models(Resident, Request, Referral)
    request_ids = Request.objects.filter(resident_id=resident_id).values("pk")
    referral_ids = Referral.objects.filter(request__resident_id=resident_id).values("pk")
    changes = (
        AuditLogEntry.objects.filter(
            Q(content_type=types[Resident], object_id=resident_id)
            | Q(content_type=types[Request], object_id__in=Subquery(request_ids))
            | Q(content_type=types[Referral], object_id__in=Subquery(referral_ids))
        )
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")
    )
    accesses = PersonalDataAccess.objects.for_resident(resident_id).with_user().order_by("-at", "-pk")
    change_page = Paginator(changes, PAGE_SIZE).get_page(request.GET.get("changes_page"))
    access_page = Paginator(accesses, PAGE_SIZE).get_page(request.GET.get("access_page"))
    context = {
        "resident_id": resident_id,
        "change_page": change_page,
        "rows": _change_rows(change_page.object_list),
        "access_page": access_page,
        "tab": "resident",
    }
    return render(request, "audit/audit_resident.html", context)
