"""The monthly report cycle (报送、审核、锁定、补录): service functions taking the acting user.

Each step runs in one transaction: the status change (checked against the version the user saw), the
snapshot, the trail row, the lock and the notifications commit together or not at all. Who may take a
step is asked of the report (`MonthlyReport.may_submit` / `may_review`); the lock's state lives in
stations (`LockedMonth`, `LateEntryPermit`) so that the apps below sws can check it.
"""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from notifications import recipients
from notifications.dispatch import notify
from notifications.events import Event
from notifications.inbox import Notification
from stations import access
from stations.locking import check_locked
from stations.models import District, LateEntryPermit, LockedMonth, Station, User
from sws.dashboards.periods import local_midnight
from sws.models import MonthlyReport, ReportDecision
from sws.reports import builders, snapshots

Level, Status = MonthlyReport.Level, MonthlyReport.Status


# --- The report of a unit and month ------------------------------------------------------------------


def report_for(*, month: datetime.date, station=None, district=None) -> MonthlyReport:
    """The unit's report row for the month, a draft made when first asked for (not saved until a step
    is taken: a report nobody acted on stays a live page)."""
    month = month.replace(day=1)
    if station is not None:
        lookup = {"level": Level.STATION, "station": station}
    elif district is not None:
        lookup = {"level": Level.DISTRICT, "district": district}
    else:
        lookup = {"level": Level.CITY}
    found = MonthlyReport.objects.filter(month=month, **lookup).first()
    if found is not None:
        return found
    report = MonthlyReport(month=month, **lookup)
    if station is not None:
        report.district_id = station.district_id
    return report


def build(report: MonthlyReport, user) -> builders.Report:
    """The live report of the row's unit and month."""
    y, m = report.month.year, report.month.month
    if report.level == Level.STATION:
        return builders.station_report(user, report.station, y, m)
    if report.level == Level.DISTRICT:
        return builders.district_report(user, report.district, y, m)
    return builders.city_report(user, y, m)


def shown(report: MonthlyReport, user) -> builders.Report:
    """What the page and the XLSX show: the snapshot once submitted or approved, else the live report."""
    if report.is_frozen:
        return snapshots.thaw(report.snapshot)
    return build(report, user)


def _save_step(report: MonthlyReport, version, **changes) -> None:
    """Write `changes` if the row is still at `version` (a new row is inserted, a second insert of the
    same unit and month is refused like a stale version)."""
    if report.pk is None:
        for name, value in changes.items():
            setattr(report, name, value)
        try:
            with transaction.atomic():
                report.save()
        except IntegrityError:
            raise ValidationError("该月报已由他人报送，请刷新页面查看。") from None
        return
    report.version = check_locked(report, version)
    for name, value in changes.items():
        setattr(report, name, value)
    report.save(update_fields=[*changes, "version"])


def _trail(report, acting_user, action, comment="", at=None):
    ReportDecision.objects.create(
        report=report,
        action=action,
        actor=acting_user,
        actor_name=acting_user.get_full_name() or acting_user.username,
        comment=comment,
        at=at or timezone.now(),
    )


def _context(report) -> dict:
    return {"unit": report.unit_name, "month": report.month_label}


def _tell(event, report, people, acting_user, suffix=""):
    notify(
        event,
        recipients=list(people),
        target=f"report:{report.pk}:{report.version}{suffix}",
        url=report.get_absolute_url(),
        context=_context(report),
        station=report.station,
        actor=acting_user,
    )


def _city_staff():
    return User.objects.filter(is_active=True, role=User.Role.CITY_STAFF).order_by("pk")


def _reviewers(report):
    if report.level == Level.STATION:
        return recipients.district_centre(report.district_id)
    return _city_staff()


def _submitters(report):
    if report.level == Level.STATION:
        return recipients.station_heads(report.station_id)
    if report.level == Level.DISTRICT:
        return recipients.district_centre(report.district_id)
    return User.objects.none()


def reporting_stations(district, month: datetime.date):
    """The district's stations that owe a report for the month (those founded by its last day)."""
    last_day = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(
        days=1
    )
    return Station.objects.filter(district=district).filter(
        Q(founded_on__isnull=True) | Q(founded_on__lte=last_day)
    )


def missing_stations(district, month: datetime.date) -> list[str]:
    """The names of the district's stations whose report for the month is not approved yet."""
    approved = MonthlyReport.objects.filter(
        level=Level.STATION, month=month, status=Status.APPROVED, district=district
    ).values("station_id")
    return list(
        reporting_stations(district, month)
        .exclude(pk__in=approved)
        .order_by("code")
        .values_list("name", flat=True)
    )


def missing_districts(month: datetime.date) -> list[str]:
    approved = MonthlyReport.objects.filter(level=Level.DISTRICT, month=month, status=Status.APPROVED).values(
        "district_id"
    )
    return list(District.objects.exclude(pk__in=approved).order_by("code").values_list("name", flat=True))


# --- The steps ---------------------------------------------------------------------------------------


def keep_draft(*, acting_user, report: MonthlyReport) -> MonthlyReport:
    """Save a report nobody has acted on as a draft, so its supporting files can be attached before it
    is submitted (the city's before it is approved). Nothing is frozen: the page stays live until the
    first step. Whoever may take a step of the report may do this; saving an existing row does nothing."""
    if not (report.may_submit(acting_user) or report.may_review(acting_user)):
        raise PermissionDenied
    if report.pk is not None:
        return report
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:  # someone saved it a moment ago: theirs is the row
        return report_for(month=report.month, station=report.station, district=report.district)
    return report


def submit_report(
    *, acting_user, report: MonthlyReport, highlights="", problems="", version=None
) -> MonthlyReport:
    """报送: the station head (or the district centre, for its district) submits a month that is over,
    with the narrative; the figures are frozen as they stand. A district waits for all its stations."""
    if not report.may_submit(acting_user):
        raise PermissionDenied
    if not report.month_over():
        raise ValidationError("本月尚未结束，月报须在月末之后报送。")
    if report.status not in MonthlyReport.SUBMITTABLE:
        raise ValidationError("该月报已报送或已审核，不能重复报送。")
    if report.level == Level.DISTRICT:
        missing = missing_stations(report.district, report.month)
        if missing:
            raise ValidationError(
                f"以下社工站的{report.month_label}月报尚未审核通过，区月报暂不能报送：{'、'.join(missing)}"
            )
    now = timezone.now()
    with transaction.atomic():
        snapshot = snapshots.freeze(build(report, acting_user))
        _save_step(
            report,
            version,
            status=Status.SUBMITTED,
            highlights=(highlights or "").strip(),
            problems=(problems or "").strip(),
            snapshot=snapshot,
            submitted_at=now,
            submitted_by=acting_user,
        )
        _trail(report, acting_user, ReportDecision.Action.SUBMITTED, at=now)
        _tell(Event.REPORT_SUBMITTED, report, _reviewers(report), acting_user)
    return report


def approve_report(*, acting_user, report: MonthlyReport, comment="", version=None) -> MonthlyReport:
    """审核通过: the snapshot is frozen again as the records stand (they are locked from now on) and a
    station's month is locked. The city's report is approved by the municipal centre without a
    submission, once every district's is approved."""
    if not report.may_review(acting_user):
        raise PermissionDenied
    if report.level == Level.CITY:
        if not report.month_over():
            raise ValidationError("本月尚未结束，月报须在月末之后审核。")
        if report.status == Status.APPROVED:
            raise ValidationError("该月报已审核通过。")
        missing = missing_districts(report.month)
        if missing:
            raise ValidationError(
                f"以下区的{report.month_label}月报尚未审核通过，市月报暂不能审核：{'、'.join(missing)}"
            )
    elif report.status != Status.SUBMITTED:
        raise ValidationError("只有已报送的月报可以审核。")
    now = timezone.now()
    comment = (comment or "").strip()
    with transaction.atomic():
        snapshot = snapshots.freeze(build(report, acting_user))
        _save_step(
            report, version, status=Status.APPROVED, snapshot=snapshot, decided_at=now, decided_by=acting_user
        )
        _trail(report, acting_user, ReportDecision.Action.APPROVED, comment, at=now)
        if report.level == Level.STATION:
            LockedMonth.objects.get_or_create(
                station_id=report.station_id,
                month=report.month,
                defaults={"locked_by": acting_user, "locked_at": now},
            )
        _tell(Event.REPORT_APPROVED, report, _submitters(report), acting_user)
    return report


def return_report(*, acting_user, report: MonthlyReport, comment: str, version=None) -> MonthlyReport:
    """退回: back to the submitter with what to change; the figures are live again until resubmitted."""
    if not report.may_review(acting_user) or report.level == Level.CITY:
        raise PermissionDenied
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": "退回时请填写审核意见。"})
    if report.status != Status.SUBMITTED:
        raise ValidationError("只有已报送的月报可以退回。")
    now = timezone.now()
    with transaction.atomic():
        _save_step(
            report, version, status=Status.RETURNED, snapshot=None, decided_at=now, decided_by=acting_user
        )
        _trail(report, acting_user, ReportDecision.Action.RETURNED, comment, at=now)
        _tell(Event.REPORT_RETURNED, report, _submitters(report), acting_user)
    return report


# --- Late entries (补录) -----------------------------------------------------------------------------


def request_late_entry(*, acting_user, month: datetime.date, reason: str) -> LateEntryPermit:
    """A station head asks to enter or correct records of a locked month of her station."""
    if not access.is_station_head(acting_user):
        raise PermissionDenied
    month = month.replace(day=1)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写补录原因。"})
    station = acting_user.station
    if not LockedMonth.objects.filter(station=station, month=month).exists():
        raise ValidationError({"month": "该月尚未审核锁定，无需申请补录，可直接录入。"})
    if LateEntryPermit.objects.filter(
        station=station, month=month, status=LateEntryPermit.Status.REQUESTED
    ).exists():
        raise ValidationError({"month": "该月已有待审批的补录申请。"})
    with transaction.atomic():
        permit = LateEntryPermit.objects.create(
            station=station, month=month, reason=reason, requested_by=acting_user
        )
        notify(
            Event.LATE_ENTRY_REQUESTED,
            recipients=list(recipients.district_centre(station.district_id)),
            target=f"late:{permit.pk}",
            url=reverse("reports:late-entries"),
            context={"unit": station.name, "month": permit.month_label},
            station=station,
            actor=acting_user,
        )
    return permit


def may_decide_late_entry(user, permit: LateEntryPermit) -> bool:
    """The district centre of the permit's station."""
    return access.is_district_user(user) and permit.station.district_id == user.district_id


def decide_late_entry(
    *, acting_user, permit: LateEntryPermit, approve: bool, comment="", open_until=None, version=None
) -> LateEntryPermit:
    """The district approves (with the last day the window stays open) or refuses a late-entry request."""
    if not may_decide_late_entry(acting_user, permit):
        raise PermissionDenied
    comment = (comment or "").strip()
    today = timezone.localdate()
    if approve:
        if open_until is None or open_until < today:
            raise ValidationError({"open_until": "请填写补录截止日期（不早于今天）。"})
        if open_until > today + datetime.timedelta(days=31):
            raise ValidationError({"open_until": "补录期限最长31天。"})
    elif not comment:
        raise ValidationError({"comment": "不批准时请填写意见。"})
    with transaction.atomic():
        permit.version = check_locked(permit, version)
        current = LateEntryPermit.objects.filter(pk=permit.pk).values_list("status", flat=True).get()
        if current != LateEntryPermit.Status.REQUESTED:
            raise ValidationError("该补录申请已审批。")
        permit.status = LateEntryPermit.Status.APPROVED if approve else LateEntryPermit.Status.REFUSED
        permit.decided_by, permit.decided_at = acting_user, timezone.now()
        permit.comment = comment
        permit.open_until = open_until if approve else None
        permit.save(update_fields=["status", "decided_by", "decided_at", "comment", "open_until", "version"])
        notify(
            Event.LATE_ENTRY_DECIDED,
            recipients=list(recipients.station_heads(permit.station_id)),
            target=f"late:{permit.pk}:decided",
            url=reverse("reports:late-entries"),
            context={"unit": permit.station.name, "month": permit.month_label},
            station=permit.station,
            actor=acting_user,
        )
    return permit


# --- Deadlines ---------------------------------------------------------------------------------------


def previous_month(today: datetime.date) -> datetime.date:
    return (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def remind_due(today=None) -> int:
    """REPORT_DUE: within REPORT_REMINDER_DAYS before a deadline, the heads of stations and the district
    centres that have not submitted last month's report hear of it (once per unit and month). Returns
    the people reached."""
    today = today or timezone.localdate()
    month = previous_month(today)
    reached = 0
    window = datetime.timedelta(days=settings.REPORT_REMINDER_DAYS)
    done = (Status.SUBMITTED, Status.APPROVED)
    # Who has already heard of this month's deadlines (a second run the same day, or the next day).
    told = set(
        Notification.objects.filter(
            event=Event.REPORT_DUE, created_at__gte=local_midnight(today.replace(day=1))
        ).values_list("recipient_id", "key")
    )
    station_due = today.replace(day=settings.REPORT_STATION_DUE_DAY)
    if station_due - window <= today <= station_due:
        submitted = MonthlyReport.objects.filter(level=Level.STATION, month=month, status__in=done).values(
            "station_id"
        )
        stations = Station.objects.exclude(pk__in=submitted).filter(
            Q(founded_on__isnull=True) | Q(founded_on__lt=today.replace(day=1))
        )
        heads = User.objects.filter(
            is_active=True, role=User.Role.STATION_HEAD, station__in=stations
        ).select_related("station")
        for head in heads:
            if (head.pk, f"{Event.REPORT_DUE}:station:{head.station_id}:{month:%Y-%m}") in told:
                continue
            context = {"unit": head.station.name, "month": f"{month.year}年{month.month}月"}
            reached += len(
                notify(
                    Event.REPORT_DUE,
                    recipients=[head],
                    target=f"station:{head.station_id}:{month:%Y-%m}",
                    url=reverse("reports:station", args=[head.station_id, month.year, month.month]),
                    context=context,
                    station=head.station,
                )
            )
    district_due = today.replace(day=settings.REPORT_DISTRICT_DUE_DAY)
    if district_due - window <= today <= district_due:
        submitted = MonthlyReport.objects.filter(level=Level.DISTRICT, month=month, status__in=done).values(
            "district_id"
        )
        staff = (
            User.objects.filter(is_active=True, role=User.Role.DISTRICT_STAFF)
            .exclude(district_id__in=submitted)
            .select_related("district")
        )
        for person in staff:
            if (person.pk, f"{Event.REPORT_DUE}:district:{person.district_id}:{month:%Y-%m}") in told:
                continue
            context = {"unit": person.district.name, "month": f"{month.year}年{month.month}月"}
            reached += len(
                notify(
                    Event.REPORT_DUE,
                    recipients=[person],
                    target=f"district:{person.district_id}:{month:%Y-%m}",
                    url=reverse("reports:district", args=[person.district_id, month.year, month.month]),
                    context=context,
                )
            )
    return reached


# --- On the dashboards: last month's reports ---------------------------------------------------------


def dashboard_status(user, *, station=None, district=None, today=None) -> dict:
    """Last month's reports as a dashboard shows them: a station's own status ("上月月报未报送"), a
    district's stations (and its own report) not yet submitted, the city's districts; late ones once the
    deadline has passed, and what waits for the viewer's review. Two queries at most."""
    today = today or timezone.localdate()
    month = previous_month(today)
    label = f"{month.year}年{month.month}月"
    done = (Status.SUBMITTED, Status.APPROVED)
    result = {"month": month, "label": label, "missing": [], "late": False, "to_review": 0, "url": ""}
    if station is not None:
        report = report_for(month=month, station=station)
        result["missing"] = [] if report.status in done else [station.name]
        result["late"] = report.is_late(today)
        result["status"] = report.get_status_display() if report.pk else "未报送"
        result["url"] = reverse("reports:station", args=[station.pk, month.year, month.month])
        return result
    if district is not None:
        reports = MonthlyReport.objects.visible_to(user).filter(district=district, month=month)
        statuses = {(r.level, r.station_id): r.status for r in reports.only("level", "station_id", "status")}
        stations = reporting_stations(district, month).order_by("code").values_list("pk", "name")
        result["missing"] = [name for pk, name in stations if statuses.get((Level.STATION, pk)) not in done]
        result["to_review"] = sum(
            1 for (level, _), s in statuses.items() if level == Level.STATION and s == Status.SUBMITTED
        )
        result["own_missing"] = statuses.get((Level.DISTRICT, None)) not in done
        due = MonthlyReport(level=Level.STATION, month=month).due_date()
        result["late"] = bool(result["missing"]) and today > due
        result["url"] = reverse("reports:district-submissions", args=[district.pk])
        return result
    reports = MonthlyReport.objects.visible_to(user).filter(level=Level.DISTRICT, month=month)
    statuses = dict(reports.values_list("district_id", "status"))
    districts = District.objects.visible_to(user).order_by("code").values_list("pk", "name")
    result["missing"] = [name for pk, name in districts if statuses.get(pk) not in done]
    result["to_review"] = sum(1 for s in statuses.values() if s == Status.SUBMITTED)
    result["late"] = (
        bool(result["missing"]) and today > MonthlyReport(level=Level.DISTRICT, month=month).due_date()
    )
    result["url"] = reverse("reports:city-submissions")
    return result
