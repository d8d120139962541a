"""Django admin for the hierarchy, stations, staff, certificates and users.

Every admin is scoped through `stations.access.ScopedAdminMixin`: a district centre user sees and edits
only their district (object pages outside it are a 404), a station user only their station, admins the
city. Foreign keys to streets, communities, stations and users are autocompletes (thousands of rows), and
each changelist runs a fixed number of queries whatever the page size: counts and compliance are
annotations, related rows are joined or prefetched once.

The hierarchy's admins are in `stations.admin_hierarchy`, the list filters in `stations.admin_filters`.
"""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from stations import (
    accounts,
    admin_calendar,  # noqa: F401 (the working-day calendar's admin, registered on import)
    admin_hierarchy,  # noqa: F401 (the hierarchy's admins, registered on import)
    services,
)
from stations.access import CheckedAutocompleteSelectMultiple, ScopedAdminMixin, is_admin, is_station_user
from stations.admin_filters import ActiveAssignmentFilter, ComplianceFilter, district_filter
from stations.forms import StationAdminForm, SWSUserChangeForm, SWSUserCreationForm
from stations.models import (
    Assignment,
    Certificate,
    CertificationState,
    Community,
    Operator,
    Station,
    Street,
    User,
)


def _icon(ok: bool, text: str = ""):
    name = "icon-yes.svg" if ok else "icon-no.svg"
    return format_html('<img src="{}" alt="{}"> {}', static(f"admin/img/{name}"), "✓" if ok else "✗", text)


def warn_open_work(request, assignments):
    """After assignments were ended: a warning per worker who still holds open requests at the station,
    with the page that hands them to a colleague (in one audited step)."""
    for assignment in assignments:
        if assignment.end_date is None:
            continue
        count, url = services.open_work(assignment)
        if count:
            messages.warning(
                request,
                format_html(
                    "{}在{}仍有 {} 件未办结工作（诉求、个案、探访等），"
                    '离任前请移交给本站同事：<a href="{}">离任移交</a>',
                    assignment.user,
                    assignment.station,
                    count,
                    url,
                ),
            )


class EndedAssignmentsWarningMixin:
    """Admins with the assignments inline: warn when a saved row ended an assignment."""

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is Assignment:
            ended = [f.instance for f in formset.forms if f.has_changed() and "end_date" in f.changed_data]
            warn_open_work(request, [a for a in ended if a.pk])


# --- Stations and staff ------------------------------------------------------------------------------
@admin.register(Operator)
class OperatorAdmin(admin.ModelAdmin):
    """Social work organisations are city-wide reference data (one may run stations in several districts)."""

    list_display = ("name", "contact_phone", "station_count")
    search_fields = ("name",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_stations=Count("stations")).order_by("name")

    @admin.display(description=_("运营社工站"), ordering="n_stations")
    def station_count(self, obj):
        return obj.n_stations


class ServedStreetInline(ScopedAdminMixin, admin.TabularInline):
    """The streets a station serves, for reading; which ones is edited with “服务街道” above."""

    model = Street
    fk_name = "station"
    fields = ("code", "name", "kind", "community_count", "workroom_count")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True
    verbose_name = _("服务街道")
    verbose_name_plural = _("服务街道（乡镇）")

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_communities=Count("communities"),
                n_workrooms=Count("communities", filter=Q(communities__workroom_opened_on__isnull=False)),
            )
        )

    @admin.display(description=_("社区（村）"))
    def community_count(self, obj):
        return obj.n_communities

    @admin.display(description=_("社区工作室"))
    def workroom_count(self, obj):
        return obj.n_workrooms


class AssignmentInline(ScopedAdminMixin, admin.TabularInline):
    model = Assignment
    extra = 0
    autocomplete_fields = ("user", "station")
    fields = ("user", "station", "is_head", "start_date", "end_date", "certification")
    readonly_fields = ("certification",)
    verbose_name_plural = _("驻站安排（含历史）")

    def get_fields(self, request, obj=None):
        # On a station page the station is implied; on a user page the user is.
        hidden = "station" if isinstance(obj, Station) else "user"
        return [f for f in self.fields if f != hidden]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user").prefetch_related("user__certificates")

    @admin.display(description=_("持证情况"))
    def certification(self, obj):
        if not obj.pk:
            return "-"
        today = timezone.localdate()
        if not obj.is_active_on(today):
            return _("不在岗")
        state = obj.certification_state(today)
        if state == CertificationState.CERTIFIED:
            return _icon(True, state.label)
        return _icon(
            state == CertificationState.PENDING, f"{state.label}（期限 {obj.certification_deadline}）"
        )


@admin.register(Station)
class StationAdmin(EndedAssignmentsWarningMixin, ScopedAdminMixin, admin.ModelAdmin):
    form = StationAdminForm
    list_display = (
        "name",
        "code",
        "district",
        "served_streets",
        "founded_on",
        "operator",
        "active_count",
        "certified_count",
        "deadline",
        "compliance",
    )
    list_filter = (district_filter("district"), ComplianceFilter, "operator")
    search_fields = ("code", "name", "address", "streets__name")
    list_select_related = ("district", "operator")
    inlines = [ServedStreetInline, AssignmentInline]
    fieldsets = (
        (None, {"fields": ("code", "name", "district", "served_streets")}),
        (_("站点信息"), {"fields": ("founded_on", "address", "phone")}),
        (_("政府购买服务"), {"fields": ("operator", "contract_start", "contract_end")}),
    )

    def get_queryset(self, request):
        streets = Street.objects.only("id", "name", "code", "station_id").order_by("code")
        return (
            super()
            .get_queryset(request)
            .with_compliance()
            .prefetch_related(Prefetch("streets", queryset=streets))
            .order_by("code")
        )

    def get_readonly_fields(self, request, obj=None):
        # Only admins open, close or move stations; district centres keep their details up to date.
        return () if is_admin(request.user) else ("code", "district")

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        streets = Street.objects.visible_to(request.user).select_related("station")
        # The guarded widget: a forged id (`abc`, `1.5`) is a form error, not a 500 while re-rendering.
        widget = CheckedAutocompleteSelectMultiple(Community._meta.get_field("street"), self.admin_site)

        class ScopedStationForm(form):
            def __init__(self, *args, **kw):
                super().__init__(*args, **kw)
                field = self.fields["served_streets"]
                field.widget = widget
                field.queryset = streets  # also refreshes the widget's choices

        return ScopedStationForm

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        form.save_served_streets(acting_user=request.user)

    @admin.display(description=_("服务街道"))
    def served_streets(self, obj):
        return "、".join(street.name for street in obj.streets.all())

    @admin.display(description=_("在岗"), ordering="active_workers")
    def active_count(self, obj):
        return obj.active_workers

    @admin.display(description=_("持证"), ordering="certified_workers")
    def certified_count(self, obj):
        return obj.certified_workers

    @admin.display(description=_("最早持证期限"), ordering="earliest_uncertified_start")
    def deadline(self, obj):
        return obj.certification_deadline or "-"

    @admin.display(description=_("人员配置"))
    def compliance(self, obj):
        issues = obj.compliance_issues()
        return _icon(not issues, "；".join(str(i) for i in issues) if issues else _("达标"))


@admin.register(Assignment)
class AssignmentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("user", "station", "is_head", "start_date", "end_date", "certification")
    list_filter = (district_filter("station__district"), ActiveAssignmentFilter, "is_head")
    search_fields = ("user__name", "user__username", "station__name", "station__code")
    list_select_related = ("user", "station")
    autocomplete_fields = ("user", "station")
    date_hierarchy = "start_date"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("user__certificates")

    certification = AssignmentInline.certification

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "end_date" in form.changed_data:
            warn_open_work(request, [obj])


@admin.register(Certificate)
class CertificateAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("number", "user", "level", "issued_on")
    list_filter = (district_filter("user__district_scope"), "level")
    search_fields = ("number", "user__name", "user__username")
    list_select_related = ("user",)
    autocomplete_fields = ("user",)


class CertificateInline(ScopedAdminMixin, admin.TabularInline):
    model = Certificate
    extra = 0


# --- Users -------------------------------------------------------------------------------------------
@admin.register(User)
class UserAdmin(EndedAssignmentsWarningMixin, ScopedAdminMixin, DjangoUserAdmin):
    form = SWSUserChangeForm
    add_form = SWSUserCreationForm
    list_display = ("username", "name", "role", "station", "district_scope", "is_staff", "is_active")
    list_filter = ("role", district_filter("district_scope"), "is_staff", "is_active")
    search_fields = ("username", "name", "phone", "station__name")
    list_select_related = ("station", "district_scope")
    autocomplete_fields = ("station", "community")
    ordering = ("username",)
    inlines = [CertificateInline, AssignmentInline]
    fieldsets = (
        (None, {"fields": ("username", "password", "pending_confirmation", "must_change_password")}),
        (_("个人信息"), {"fields": ("name", "phone", "email")}),
        (
            _("角色与工作范围"),
            {
                "fields": ("role", "station", "district", "community"),
                "description": _(
                    "驻站社工和站长的所属社工站由驻站安排决定：以当前在岗的驻站安排为准，在下方“驻站安排"
                    "（含历史）”中新增、结束或调整，这里随之更新。给账号设驻站角色时在此选定社工站，"
                    "即为其首个驻站安排。居委会工作人员选所属社区（社工站随社区所在街道）；"
                    "志愿者信息员选所属社工站。"
                ),
            },
        ),
        (_("权限"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("重要日期"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "name",
                    "role",
                    "station",
                    "district",
                    "community",
                ),
            },
        ),
    )
    # Roles a district centre may give: it manages its stations' workers and its own colleagues.
    SCOPED_ROLES = (User.Role.STATION_WORKER, User.Role.STATION_HEAD, User.Role.DISTRICT_STAFF)

    def get_readonly_fields(self, request, obj=None):
        # A station account's station follows its assignments (stations/services.py); a new account, or
        # one given a station role now, names the station of its first assignment.
        posted = obj is not None and is_station_user(obj)
        station = ("station",) if posted else ()
        if request.user.is_superuser:
            return ("pending_confirmation", "last_login", "date_joined", *station)
        # Nobody below superuser hands out admin access or permissions.
        return (
            "pending_confirmation",
            "is_staff",
            "is_superuser",
            "groups",
            "user_permissions",
            "last_login",
            "date_joined",
            *station,
        )

    def save_model(self, request, obj, form, change):
        """An account given more reach than the acting district account has waits for a city admin
        (stations.accounts): no usable password until its activation link is issued."""
        previous = User.objects.filter(pk=obj.pk).first() if change else None
        if accounts.needs_city_confirmation(request.user, obj, previous):
            accounts.hold_for_confirmation(obj)
        super().save_model(request, obj, form, change)
        services.ensure_first_assignment(obj)  # a station role given now: her first assignment
        if obj.pending_confirmation and (previous is None or not previous.pending_confirmation):
            accounts.record_password_event(
                obj, f"待市级管理员确认，密码停用（{request.user.get_username()}）"
            )
            self.message_user(
                request, _("该账号须由市级管理员确认并发放激活链接后方可登录。"), messages.WARNING
            )
        elif not change:
            self.message_user(request, _("账号已创建。请在“密码”处发放激活链接，交给本人设置密码。"))

    def user_change_password(self, request, id, form_url=""):
        """Instead of Django's set-password form: issue a one-time activation or reset link (the person
        sets their own password), and, for admins, a two-factor enrolment code."""
        user = self.get_object(request, unquote(id))
        if not self.has_change_permission(request, user):
            raise PermissionDenied
        may_link = accounts.may_issue_link(request.user, user)
        may_code = is_admin(request.user) and request.user.pk != user.pk
        link = code = None
        if request.method == "POST":
            if "issue_link" in request.POST and may_link:
                link = accounts.issue_password_link(request.user, user, request)
            elif "issue_code" in request.POST and may_code:
                code = accounts.issue_enrolment_code(request.user, user)
            elif "issue_link" in request.POST or "issue_code" in request.POST:
                raise PermissionDenied
            else:
                # Django's set-password form posted here (password1/password2): no password is ever set.
                self.message_user(request, _("系统不为他人设定密码，请发放一次性链接。"), messages.ERROR)
        context = {
            **self.admin_site.each_context(request),
            "title": _("密码与验证器：%(user)s") % {"user": user.get_username()},
            "opts": self.opts,
            "original": user,
            "target": user,
            "is_self": request.user.pk == user.pk,
            "may_link": may_link,
            "may_code": may_code,
            "link": link,
            "code": code,
            "link_hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/stations/user/password_link.html", context)

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role" and not is_admin(request.user):
            kwargs["choices"] = [
                (value, label) for value, label in User.Role.choices if value in self.SCOPED_ROLES
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)
