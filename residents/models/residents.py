"""Residents (the baseline of service recipients) and the append-only record of what was done to one."""

import datetime
import re

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from residents import crypto
from residents.models.tags import VulnerabilityTag
from residents.validators import mask_id_number, mask_name, mask_phone, normalise_id_number, phone_tail
from stations.access import ScopedQuerySet
from stations.audit import AppendOnlyModel, AppendOnlyQuerySet, RecordImmutable
from stations.locking import Versioned
from stations.models import Community, add_years

ID_NUMBER_COLUMNS = ("id_number_encrypted", "id_number_hash", "id_tail")


class ResidentQuerySet(ScopedQuerySet):
    station_lookup = "community__street__station"
    district_lookup = "community__street__district"

    def with_list_columns(self):
        return self.select_related("community").prefetch_related("tags")

    def search(self, term: str):
        """Name, phone tail or ID tail (last four), or a whole phone number; indexed columns only.

        A whole ID number is not a search term here: searches travel in URLs (GET), and an ID number
        never does. The exact lookup is `with_id_number`, behind a POST form."""
        # A name is at most 50 characters: a longer term finds nothing more (and SQLite refuses a
        # LIKE pattern past 50,000 bytes).
        term = (term or "").strip().upper()[:50]
        term = term.replace("\x00", "")  # no stored text holds NUL, and PostgreSQL refuses it in a query
        if not term:
            return self
        if re.fullmatch(r"\d{3}[\dX]", term):
            return self.filter(Q(id_tail=crypto.tail_digest(term)) | Q(phone_tail=term))
        if re.fullmatch(r"1\d{10}", term):
            return self.filter(phone=term)
        return self.filter(name__contains=term)

    def with_id_number(self, id_number: str):
        """Exact lookup of a whole ID number, through its keyed hash (the number is stored encrypted)."""
        value = normalise_id_number(id_number)
        if not value:
            return self.none()
        return self.filter(id_number_hash=crypto.lookup_hash(value))

    # Age-based tags are derived from the birth date, so filtering on them is a birth-date range.
    def elderly(self, today: datetime.date | None = None):
        today = today or timezone.localdate()
        return self.filter(birth_date__lte=add_years(today, -Resident.ELDERLY_AGE))

    def minors(self, today: datetime.date | None = None):
        today = today or timezone.localdate()
        return self.filter(birth_date__gt=add_years(today, -Resident.ADULT_AGE))

    def not_sensitive(self, today: datetime.date | None = None):
        """Neither a minor nor tagged sensitive (困境儿童 …): what opens without the extra permission."""
        today = today or timezone.localdate()
        minor = Q(birth_date__gt=add_years(today, -Resident.ADULT_AGE))
        return self.exclude(minor).exclude(tags__sensitive=True)


class Resident(Versioned):  # optimistic lock: stations.locking
    class Gender(models.TextChoices):
        MALE = "M", _("男")
        FEMALE = "F", _("女")

    ELDERLY_AGE = 80  # 高龄
    ADULT_AGE = 18  # below: 未成年

    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    # The ID number is stored encrypted (residents.crypto), never in plain: read and set it through the
    # `id_number` property. Its keyed hash carries the city-wide uniqueness and the exact lookup; its
    # keyed tail digest the 尾号 search. Bulk writers use `Resident.id_number_columns()`.
    id_number_encrypted = models.TextField(_("身份证号"), blank=True, default="", editable=False)
    id_number_hash = models.CharField(
        _("身份证号摘要"), max_length=64, unique=True, null=True, blank=True, editable=False
    )
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    # Last four characters of the ID number (keyed digest) and phone: indexed search ("尾号1234")
    # without ever matching on, or showing, the whole number. Kept in step by the `id_number` setter
    # and save(); bulk inserts set them with `Resident.id_number_columns()` and `phone_tail()`.
    id_tail = models.CharField(max_length=16, blank=True, editable=False)
    phone_tail = models.CharField(max_length=4, blank=True, editable=False)
    community = models.ForeignKey(
        Community, verbose_name=_("所在社区"), on_delete=models.PROTECT, related_name="residents"
    )
    address = models.CharField(_("住址"), max_length=200, blank=True)
    tags = models.ManyToManyField(
        VulnerabilityTag, verbose_name=_("困难标签"), blank=True, related_name="residents"
    )
    notes = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ResidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("居民")
        verbose_name_plural = _("居民")
        ordering = ["community", "name"]
        permissions = [
            # Station heads hold it by role (residents.permissions.RoleDefaultPermissionsBackend);
            # anyone else gets it in the admin, directly or through the group of the same name.
            ("view_sensitive_resident", _("查看未成年人及敏感标签居民档案")),
        ]
        indexes = [
            models.Index(fields=["community", "name"]),
            models.Index(fields=["id_tail"], name="resident_id_tail_idx"),
            # Plan progress counts the residents registered per station by a date, from the index alone.
            models.Index(fields=["community", "created_at"], name="resident_community_created_idx"),
            # …and the few registered since a moment (this month), without probing every community.
            models.Index(fields=["created_at"], name="resident_created_idx"),
            models.Index(fields=["phone_tail"], name="resident_phone_tail_idx"),
            models.Index(fields=["birth_date"], name="resident_birth_date_idx"),
        ]

    def __str__(self):
        return self.name

    @classmethod
    def from_db(cls, db, field_names, values):
        resident = super().from_db(db, field_names, values)
        resident._saved_community_id = resident.__dict__.get("community_id")
        return resident

    def save(self, *args, **kwargs):
        # A derived search column, not workflow: it must never disagree with the number. (The ID
        # number's columns are kept in step by the `id_number` setter.)
        self.phone_tail = phone_tail(self.phone)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            update_fields = set(update_fields)
            if "id_number" in update_fields:
                update_fields = (update_fields - {"id_number"}) | set(ID_NUMBER_COLUMNS)
            kwargs["update_fields"] = update_fields | {"phone_tail"}
        moved = not self._state.adding and self.community_id != getattr(self, "_saved_community_id", None)
        super().save(*args, **kwargs)
        if moved:
            # The visit plan's copy of the community follows (residents.models.visits.VisitPlan.community).
            from residents.models.visits import follow_community

            follow_community([self.pk])
        self._saved_community_id = self.community_id

    def get_absolute_url(self):
        return reverse("residents:resident-detail", args=[self.pk])

    @property
    def id_number(self) -> str | None:
        """The whole ID number, decrypted (cached per ciphertext); None when none is recorded."""
        token = self.id_number_encrypted
        if not token:
            return None
        cached = self.__dict__.get("_id_number_plain")
        if cached is not None and cached[0] == token:
            return cached[1]
        plain = crypto.decrypt(token)
        self.__dict__["_id_number_plain"] = (token, plain)
        return plain

    @id_number.setter
    def id_number(self, value: str | None):
        value = normalise_id_number(value) or None
        if value == self.id_number:
            return  # unchanged: keep the ciphertext, so no change shows where none was made
        for column, stored in self.id_number_columns(value).items():
            setattr(self, column, stored)
        if value:
            self.__dict__["_id_number_plain"] = (self.id_number_encrypted, value)

    @staticmethod
    def id_number_columns(id_number: str | None) -> dict:
        """id_number_encrypted, id_number_hash and id_tail for an ID number (bulk writers, services)."""
        return crypto.id_number_columns(normalise_id_number(id_number) or None)

    @property
    def masked_id_number(self):
        return mask_id_number(self.id_number)

    @property
    def masked_name(self):
        """张桂兰 → 张**: how a minor's or a sensitive record is listed to someone without the permission."""
        return mask_name(self.name)

    def has_sensitive_tag(self) -> bool:
        """Uses prefetched tags when there are (lists prefetch them)."""
        return any(tag.sensitive for tag in self.tags.all())

    def sensitive(self, has_sensitive_tag: bool | None = None) -> bool:
        """The one rule of masking: a minor (from the birth date) or a resident with a sensitive tag
        (困境儿童 …) is listed masked to anyone without `residents.permissions.SENSITIVE_PERMISSION`.

        `has_sensitive_tag` when a list already knows it (`RequestQuerySet.with_resident_sensitive_tag`);
        otherwise it is read from the tags (prefetch them). Every page, export and template tag asks here
        (`is_sensitive`, `Request.resident_is_sensitive`); the queue rows' fast path is tested against it."""
        if self.is_minor:
            return True
        return bool(self.has_sensitive_tag() if has_sensitive_tag is None else has_sensitive_tag)

    @property
    def is_sensitive(self) -> bool:
        return self.sensitive()

    @property
    def open_permission(self) -> str | None:
        """What opening this record needs beyond scope (`stations.access.may_open` asks): the extra
        permission for a minor's or sensitive record, nothing for the others."""
        from residents.permissions import SENSITIVE_PERMISSION

        return SENSITIVE_PERMISSION if self.is_sensitive else None

    @property
    def masked_phone(self):
        return mask_phone(self.phone)

    def derived_tags(self, today: datetime.date | None = None) -> list[str]:
        """高龄 and 未成年, from the birth date: never typed, so never wrong."""
        age = self.age(today)
        if age is None:
            return []
        if age >= self.ELDERLY_AGE:
            return [str(_("高龄"))]
        if age < self.ADULT_AGE:
            return [str(_("未成年"))]
        return []

    def tag_names(self) -> list[str]:
        """Derived tags first, then the recorded ones (uses prefetched tags)."""
        return self.derived_tags() + [tag.name for tag in self.tags.all()]

    def age(self, today: datetime.date | None = None) -> int | None:
        if not self.birth_date:
            return None
        today = today or timezone.localdate()
        return (
            today.year
            - self.birth_date.year
            - ((today.month, today.day) < (self.birth_date.month, self.birth_date.day))
        )

    @property
    def is_minor(self):
        age = self.age()
        return age is not None and age < self.ADULT_AGE

    @property
    def is_elderly(self):
        age = self.age()
        return age is not None and age >= self.ELDERLY_AGE


class ResidentEventQuerySet(AppendOnlyQuerySet, ScopedQuerySet):
    station_lookup = "resident__community__street__station"
    district_lookup = "resident__community__street__district"


class ResidentEvent(AppendOnlyModel):
    """Append-only record of what was done to a resident's record: registered, edited, and every
    reveal of the full ID number (with the reason given)."""

    append_only_error = RecordImmutable
    append_only_db_refuses_delete = False  # goes with its parent's deletion (cascade)
    append_only_label = "居民档案记录"

    class Kind(models.TextChoices):
        CREATED = "created", _("登记")
        UPDATED = "updated", _("修改")
        REVEALED = "revealed", _("查看完整身份证号")
        TRANSFER = "transfer", _("站间转移")

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    # The reason for a reveal; for edits, the names of the fields changed (never their values).
    text = models.TextField(_("说明"), blank=True, max_length=500)
    data = models.JSONField(default=dict, blank=True)

    objects = ResidentEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("居民档案记录")
        verbose_name_plural = _("居民档案记录")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["resident", "at"], name="resident_event_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"
