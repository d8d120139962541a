"""Workflows of volunteers: register and edit a volunteer with her teams, record who served on an activity
or a visit and for how long, reveal a phone, and issue a proof of service hours (志愿服务记录证明).

Each takes the acting user explicitly, checks it against `stations.access`, and writes in one transaction.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from projects.models import ServiceHours, ServiceProof, TeamMembership, Volunteer
from stations import access, locking, periods


def save_volunteer(*, acting_user, form, version=None, today: datetime.date | None = None) -> Volunteer:
    """Save the volunteer and bring her memberships in line with the teams ticked: a team newly ticked is
    joined today, a team unticked is left today (the membership stays as history)."""
    station = form.station
    access.require(access.works_at, acting_user, station)
    today = today or timezone.localdate()
    teams = set(form.cleaned_data.get("teams") or ())
    with transaction.atomic():
        volunteer = form.instance
        if volunteer.pk is None:
            volunteer.station = station
            volunteer.created_by = acting_user
            volunteer = form.save()
        else:
            locking.save_versioned(form, version=version)
        current = {m.team_id: m for m in volunteer.memberships.filter(left_on__isnull=True)}
        for team in teams:
            if team.pk not in current:
                TeamMembership.objects.create(team=team, volunteer=volunteer, joined_on=today)
        wanted = {team.pk for team in teams}
        for team_id, membership in current.items():
            if team_id not in wanted:
                # Joined today and left today: a mistake undone, not a day of membership.
                if membership.joined_on >= today:
                    membership.delete()
                else:
                    membership.left_on = today
                    membership.save(update_fields=["left_on"])
    return volunteer


@dataclass
class HoursRow:
    volunteer: Volunteer
    hours: Decimal
    content: str = ""


def record_hours(*, acting_user, rows, activity=None, visit=None, station) -> list[ServiceHours]:
    """Replace the volunteer hours of one activity or one visit with `rows` (all or nothing).

    `station` owns the activity or visit (the visit's through its resident); every volunteer must be
    the station's. A volunteer listed twice is refused: hours are per person and service.
    """
    if (activity is None) == (visit is None):
        raise ValueError("record_hours needs an activity or a visit, not both")
    access.require(access.may_change, acting_user, activity if activity is not None else visit)
    day = activity.date if activity is not None else visit.visited_on
    if activity is not None and activity.station_id != station.pk:
        raise ValidationError("只能为本站的活动登记志愿服务时长。")
    seen = set()
    for row in rows:
        if row.volunteer.station_id != station.pk:
            raise ValidationError("只能选择本站登记的志愿者。")
        if row.volunteer.pk in seen:
            raise ValidationError(f"志愿者“{row.volunteer.name}”重复填写了。")
        seen.add(row.volunteer.pk)
    link = {"activity": activity} if activity is not None else {"visit": visit}
    with transaction.atomic():
        # Hours are dated by their service: in a locked (approved) month they change only under a
        # late-entry permit. A visit's hours are written down here; an activity's with the activity
        # (its form's save), so they are only checked.
        periods.check_open(
            acting_user,
            station,
            day,
            kind="探访志愿服务时长" if visit is not None else "",
            label=visit.get_form_display() if visit is not None else "",
        )
        ServiceHours.objects.filter(**link).delete()
        created = [
            ServiceHours(
                station=station,
                volunteer=row.volunteer,
                date=day,
                hours=row.hours,
                content=row.content.strip(),
                recorded_by=acting_user,
                **link,
            )
            for row in rows
        ]
        for entry in created:
            entry.full_clean(exclude=["station", "volunteer", "activity", "visit", "recorded_by"])
        ServiceHours.objects.bulk_create(created)
    return created


PHONE_REVEAL_REASON = "查看志愿者完整电话（联系志愿服务）"


def reveal_phone(*, acting_user, volunteer) -> str:
    """The whole phone, for the volunteer's own station's staff only (the caller logs the access)."""
    access.require(access.works_at, acting_user, volunteer)
    return volunteer.phone


def _next_serial(station, year: int) -> str:
    prefix = f"ZYFW-{station.code}-{year}-"
    last = (
        ServiceProof.objects.filter(serial__startswith=prefix)
        .order_by("-serial")
        .values_list("serial", flat=True)
        .first()
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:04d}"


def issue_proof(*, acting_user, volunteer, period_start, period_end) -> ServiceProof:
    """Issue a numbered proof of the volunteer's service hours in the period, from the station's records.

    The proof keeps the services as certified (a later correction of the hours does not change a proof
    already handed out). A period without any service is refused: there is nothing to certify.
    """
    access.require(access.works_at, acting_user, volunteer)
    if period_end < period_start:
        raise ValidationError("截止日期不能早于起始日期。")
    if period_end > timezone.localdate():
        raise ValidationError("截止日期不能晚于今天。")
    services = list(ServiceProof.services_for(volunteer, period_start, period_end))
    if not services:
        raise ValidationError("该期间没有志愿服务记录，无法出具证明。")
    lines = [
        {"date": s.date.isoformat(), "content": s.source_content, "hours": str(s.hours)} for s in services
    ]
    total = sum((s.hours for s in services), Decimal("0.0"))
    today = timezone.localdate()
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return ServiceProof.objects.create(
                    station_id=volunteer.station_id,
                    volunteer=volunteer,
                    serial=_next_serial(volunteer.station, today.year),
                    period_start=period_start,
                    period_end=period_end,
                    total_hours=total,
                    service_count=len(services),
                    issued_on=today,
                    issued_by=acting_user,
                    lines=lines,
                )
        except IntegrityError:
            continue  # two proofs numbered at once: take the next number
    raise ValidationError("证明编号冲突，请重试。")
