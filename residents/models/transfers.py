"""Transfers (转移) to another station: of one request, or of a resident (moved house) with their open
requests and visit plan. Proposed by the sending station, accepted or declined by the receiving one.
Until accepted the sender keeps everything; on acceptance it (with its timeline) moves, and so does who
may read it (scope is the request's station, the resident's community). A case's transfer is casework's
own (`casework.CaseTransfer`): residents may not point at casework."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from residents.models.requests import Request
from residents.models.residents import Resident
from residents.validators import mask_name
from stations.access import BetweenStationsQuerySet
from stations.models import Community, Station


class TransferQuerySet(BetweenStationsQuerySet):
    """Both ends see a transfer: the sending station and the receiving one (and their districts)."""

    def pending(self):
        return self.filter(status=Transfer.Status.PENDING)

    def with_inbox_columns(self):
        return self.select_related(
            "request",
            "request__category",
            "request__resident",
            "resident",
            "from_station",
            "to_station",
            "to_community",
            "proposed_by",
            "decided_by",
        ).prefetch_related("request__resident__tags")


class StationTransfer(models.Model):
    """What every move between stations has (a request's, a resident's, a case's): the reason, the
    proposer, and the receiver's one answer. Abstract: `Transfer` and `casework.CaseTransfer` add what
    moves and the station foreign keys (their reverse names differ)."""

    class Reason(models.TextChoices):
        MOVED = "moved", _("搬家")
        NOT_OURS = "not_ours", _("不属本街")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        PENDING = "pending", _("转移待接收")
        ACCEPTED = "accepted", _("已接收")
        DECLINED = "declined", _("已拒绝")
        CANCELLED = "cancelled", _("已撤回")

    # Where the subject lives at the receiver: a community that station serves, chosen by the receiver
    # when accepting (they know their communities; the sender knows only the street).
    to_community = models.ForeignKey(
        Community,
        verbose_name=_("接收社区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.CharField(_("转移原因"), max_length=12, choices=Reason.choices)
    reason_text = models.CharField(_("原因说明"), max_length=300, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.PENDING)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提出人"), on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("提出时间"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decision_note = models.CharField(_("处理意见"), max_length=300, blank=True)

    class Meta:
        abstract = True

    @property
    def is_pending(self):
        return self.status == self.Status.PENDING

    def reason_display(self) -> str:
        label = self.get_reason_display()
        return f"{label}：{self.reason_text}" if self.reason_text else label

    @classmethod
    def proposal_errors(cls, reason, reason_text) -> dict:
        """The proposal form's field errors (empty when it may be made)."""
        if reason not in cls.Reason.values:
            return {"reason": "请选择转移原因。"}
        if reason == cls.Reason.OTHER and not reason_text:
            return {"reason_text": "原因为“其他”时请填写说明。"}
        return {}

    def decide_once(self, to_status, *, acting_user, note, **changes) -> bool:
        """Pending → `to_status`, once: a conditional UPDATE, so two answers at the same moment cannot both
        win. False when someone answered first."""
        updated = (
            type(self)
            ._default_manager.filter(pk=self.pk, status=self.Status.PENDING)
            .update(
                status=to_status,
                decided_by=acting_user,
                decided_at=timezone.now(),
                decision_note=note[:300],
                **changes,
            )
        )
        if updated:
            self.refresh_from_db()
        return bool(updated)


class Transfer(StationTransfer):
    """A request's or a resident's move from one station to another, with the reason and the receiver's
    answer. Exactly one of `request` and `resident` is set."""

    request = models.ForeignKey(
        Request,
        verbose_name=_("诉求"),
        on_delete=models.CASCADE,
        related_name="transfers",
        null=True,
        blank=True,
    )
    resident = models.ForeignKey(
        Resident,
        verbose_name=_("居民"),
        on_delete=models.CASCADE,
        related_name="transfers",
        null=True,
        blank=True,
    )
    from_station = models.ForeignKey(
        Station, verbose_name=_("转出站"), on_delete=models.PROTECT, related_name="transfers_out"
    )
    to_station = models.ForeignKey(
        Station, verbose_name=_("接收站"), on_delete=models.PROTECT, related_name="transfers_in"
    )
    # A transfer the district centre made itself (派单): accepted as it is made, no receiver's answer.
    dispatched = models.BooleanField(_("区级派单"), default=False)

    objects = TransferQuerySet.as_manager()

    class Meta:
        verbose_name = _("诉求转移")
        verbose_name_plural = _("诉求转移")
        ordering = ["-proposed_at", "-pk"]
        indexes = [
            models.Index(fields=["to_station", "status", "proposed_at"], name="transfer_in_idx"),
            models.Index(fields=["from_station", "status", "proposed_at"], name="transfer_out_idx"),
        ]
        constraints = [
            # One open proposal per request: a second would race the first's acceptance.
            models.UniqueConstraint(
                fields=["request"], condition=Q(status="pending"), name="transfer_one_pending_per_request"
            ),
            models.UniqueConstraint(
                fields=["resident"], condition=Q(status="pending"), name="transfer_one_pending_per_resident"
            ),
            models.CheckConstraint(
                condition=Q(request__isnull=False, resident__isnull=True)
                | Q(request__isnull=True, resident__isnull=False),
                name="transfer_of_a_request_or_a_resident",
            ),
            models.CheckConstraint(
                condition=~Q(from_station=models.F("to_station")), name="transfer_to_another_station"
            ),
        ]

    def __str__(self):
        return f"{self.subject_label}: {self.from_station_id} → {self.to_station_id}"

    @property
    def of_resident(self) -> bool:
        return self.resident_id is not None

    @property
    def subject(self):
        """What moves: the request, or the resident."""
        return self.resident if self.of_resident else self.request

    @property
    def subject_label(self) -> str:
        """The request's reference, or "居民档案" and the masked name: what both inboxes list."""
        return f"居民档案 · {self.masked_subject}" if self.of_resident else self.request.reference

    @property
    def masked_subject(self) -> str:
        """Whom the request is about, masked (张**): the receiver decides before the record is theirs."""
        if self.of_resident:
            return mask_name(self.resident.name)
        request = self.request
        name = request.resident.name if request.resident_id else request.reporter_name
        return mask_name(name) if name else "未留姓名"
