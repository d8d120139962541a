"""Users: one role and one scope (station, district, city) each."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from stations import access
from stations.access import ScopedQuerySet
from stations.models.hierarchy import Community, District
from stations.models.stations import Station


class UserQuerySet(ScopedQuerySet):
    station_lookup = "station"
    district_lookup = "district_scope"


class SWSUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """An SWS account. One role, one scope: a station, a district, or the whole city."""

    # The role enum and every rule about roles live in the access module (stations/access.py): to ask
    # what a user is or may do, use its predicates (`access.is_station_user(user)` …).
    Role = access.Role
    STATION_ROLES = access.STATION_ROLES
    CITY_ROLES = access.CITY_ROLES

    name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.STATION_WORKER)
    station = models.ForeignKey(
        Station,
        verbose_name=_("所属社工站"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    district = models.ForeignKey(
        District,
        verbose_name=_("所属区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    # A residents' committee's staff member (居委会工作人员) belongs to one community.
    community = models.ForeignKey(
        Community,
        verbose_name=_("所属社区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    # The district whose centre may see this account: the district itself for district staff, the
    # station's district for station staff. Kept in step by clean()/save() so scoping is one column.
    district_scope = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+"
    )

    # Account safety (stations/accounts.py): nobody chooses another person's working password.
    must_change_password = models.BooleanField(
        _("下次登录须修改密码"),
        default=False,
        help_text=_("开启后，该用户登录后须先修改密码才能使用系统。"),
    )
    pending_confirmation = models.BooleanField(
        _("待市级管理员确认"),
        default=False,
        editable=False,
        help_text=_("区级账号新建或改设的站点账号，须由市级管理员确认并发放激活链接后方可登录。"),
    )
    # A one-time code an admin gives the user out of band to bind their first authenticator (hashed).
    two_factor_enrolment_code = models.CharField(max_length=128, blank=True, editable=False)
    two_factor_enrolment_expires = models.DateTimeField(null=True, blank=True, editable=False)

    objects = SWSUserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role__in=access.STATION_ROLES) | Q(station__isnull=False),
                name="station_role_has_station",
            ),
            models.CheckConstraint(
                condition=~Q(role=access.Role.DISTRICT_STAFF) | Q(district__isnull=False),
                name="district_role_has_district",
            ),
        ]

    def __str__(self):
        return self.name or self.username

    def get_full_name(self):
        return self.name or self.username

    def clean(self):
        super().clean()
        if self.role in self.STATION_ROLES and not self.station_id:
            raise ValidationError({"station": _("驻站社工和站长必须指定所属社工站。")})
        if self.role == self.Role.DISTRICT_STAFF and not self.district_id:
            raise ValidationError({"district": _("区级指导中心人员必须指定所属区。")})
        if self.role == self.Role.COMMUNITY_STAFF:
            if not self.community_id:
                raise ValidationError({"community": _("居委会工作人员必须指定所属社区。")})
            if self.community.street.station_id is None:
                raise ValidationError({"community": _("该社区所在街道尚无社工站，不能开设居委会账号。")})
        if self.role == self.Role.VOLUNTEER_REPORTER and not self.station_id:
            raise ValidationError({"station": _("志愿者信息员必须指定所属社工站。")})

    def set_password(self, raw_password, event=None):
        """Set the password; saving records it in the audit trail (`stations.audit.record_password_event`)
        with `event` as what happened ("本人修改密码" …), for an existing account."""
        super().set_password(raw_password)
        self._password_event = event or "设置密码"

    def save(self, *args, **kwargs):
        # A password set with set_password() (not a hash upgrade at login, which clears _password first)
        # on an existing account: recorded after the save. A new account's creation is audited anyway.
        password_event = (
            getattr(self, "_password_event", None)
            if self._password is not None and not self._state.adding
            else None
        )
        self._save_scoped(*args, **kwargs)
        self._password_event = None
        if password_event:
            from stations.audit import record_password_event

            record_password_event(self, password_event)

    def _save_scoped(self, *args, **kwargs):
        # A volunteer reporter reports to one station: her scope columns are a station's (they only say
        # whose staff lists her).
        if (self.role in self.STATION_ROLES or self.role == self.Role.VOLUNTEER_REPORTER) and self.station_id:
            self.district_id = None
            self.district_scope_id = (
                Station.objects.filter(pk=self.station_id).values_list("district_id", flat=True).first()
            )
        elif self.role == self.Role.DISTRICT_STAFF:
            self.station_id = None
            self.district_scope_id = self.district_id
        elif self.role == self.Role.COMMUNITY_STAFF and self.community_id:
            # 居委会: her station is the one serving her community's street (it takes her reports in).
            self.district_id = None
            self.station_id, self.district_scope_id = (
                Community.objects.filter(pk=self.community_id)
                .values_list("street__station_id", "street__station__district_id")
                .first()
            ) or (None, None)
        else:
            self.station_id = self.district_id = self.district_scope_id = None
        if self.role != self.Role.COMMUNITY_STAFF:
            self.community_id = None
        fields = {"station", "district", "district_scope", "community"}
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], *fields}
        super().save(*args, **kwargs)
