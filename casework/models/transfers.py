"""A case's transfer (个案转移) to another station: proposed by its lead worker or the station head,
accepted by the receiving station's head, who names the lead worker there. Its own model rather than a
kind of `residents.Transfer`: residents may not point at casework (the arrows go casework → residents),
and a case's acceptance needs what a request's does not (the lead worker). The reason, the answer and the
one-answer rule are `residents.StationTransfer`'s, shared with it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from casework.models.cases import Case
from residents.models import StationTransfer
from residents.validators import mask_name
from stations.access import BetweenStationsQuerySet
from stations.models import Station


class CaseTransferQuerySet(BetweenStationsQuerySet):
    """Both ends see a case's transfer (reference, masked name, stations): the two stations' staff and
    their districts' centres. The case itself stays under its confidentiality rule."""

    def pending(self):
        return self.filter(status=StationTransfer.Status.PENDING)

    def with_columns(self):
        return self.select_related(
            "case", "case__client", "from_station", "to_station", "proposed_by", "decided_by", "lead_worker"
        )


class CaseTransfer(StationTransfer):
    case = models.ForeignKey(Case, verbose_name=_("个案"), on_delete=models.CASCADE, related_name="transfers")
    from_station = models.ForeignKey(
        Station, verbose_name=_("转出站"), on_delete=models.PROTECT, related_name="case_transfers_out"
    )
    to_station = models.ForeignKey(
        Station, verbose_name=_("接收站"), on_delete=models.PROTECT, related_name="case_transfers_in"
    )
    # Named by the receiving head on acceptance: who leads the case there.
    lead_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收后主责社工"),
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
    def masked_subject(self) -> str:
        return mask_name(self.case.client.name)
