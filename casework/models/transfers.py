"""A case's transfer (个案转移) to another station: proposed by its lead worker or the station head,
accepted by the receiving station's head, who names the lead worker there. Its own model rather than a
kind of `residents.Transfer`: residents may not point at casework (the arrows go casework → residents),
and a case's acceptance needs what a request's does not (the lead worker)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.models.cases import Case
from residents.models import Transfer
from residents.validators import mask_name
from stations.access import BetweenStationsQuerySet
from stations.models import Community, Station


class CaseTransferQuerySet(BetweenStationsQuerySet):
    """Both ends see a case's transfer (reference, masked name, stations): the two stations' staff and
    their districts' centres. The case itself stays under its confidentiality rule."""

    def pending(self):
        return self.filter(status=Transfer.Status.PENDING)

    def with_columns(self):
        return self.select_related(
            "case", "case__client", "from_station", "to_station", "proposed_by", "decided_by", "lead_worker"
        )


class CaseTransfer(models.Model):
    case = models.ForeignKey(Case, verbose_name=_("个案"), on_delete=models.CASCADE, related_name="transfers")
    from_station = models.ForeignKey(
        Station, verbose_name=_("转出站"), on_delete=models.PROTECT, related_name="case_transfers_out"
    )
    to_station = models.ForeignKey(
        Station, verbose_name=_("接收站"), on_delete=models.PROTECT, related_name="case_transfers_in"
    )
    reason = models.CharField(_("转移原因"), max_length=12, choices=Transfer.Reason.choices)
    reason_text = models.CharField(_("原因说明"), max_length=300, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=Transfer.Status.choices, default=Transfer.Status.PENDING
    )
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
    # Named by the receiving head on acceptance: who leads the case there, and the client's community.
    lead_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收后主责社工"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    to_community = models.ForeignKey(
        Community,
        verbose_name=_("接收社区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = CaseTransferQuerySet.as_manager()

    class Meta:
        verbose_name = _("个案转移")
        verbose_name_plural = _("个案转移")
        ordering = ["-proposed_at", "-pk"]
        indexes = [
            models.Index(fields=["to_station", "status", "proposed_at"], name="case_transfer_in_idx"),
            models.Index(fields=["from_station", "status", "proposed_at"], name="case_transfer_out_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="pending"), name="case_transfer_one_pending"
            ),
            models.CheckConstraint(
                condition=~Q(from_station=models.F("to_station")), name="case_transfer_to_another_station"
            ),
        ]

    def __str__(self):
        return f"{self.case_id}: {self.from_station_id} → {self.to_station_id}"

    @property
    def is_pending(self):
        return self.status == Transfer.Status.PENDING

    @property
    def masked_subject(self) -> str:
        return mask_name(self.case.client.name)

    def reason_display(self) -> str:
        label = self.get_reason_display()
        return f"{label}：{self.reason_text}" if self.reason_text else label
