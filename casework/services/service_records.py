"""介入: recording a dated service on a case. Each record is one casework (个案) session with its
person-times in the station's statistics (sws/dashboards/casework_service.py reads the rows): nobody
types it again as an activity."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from casework.models import Case, CaseEvent, Goal, ServiceRecord
from casework.services.common import CaseworkError, record_event, require_case_worker
from casework.services.referrals import refer_case_to_partner
from partners import services as partners
from projects.models import Resource
from stations import periods

# The stages in which the case is being served; a record outside them would count work on a case that
# is not (yet, or any more) in intervention.
SERVICE_STAGES = (Case.Stage.INTERVENTION,)


def case_goals(case: Case):
    """The goals of the case's plans (a record or an evaluation may name these, no others)."""
    return Goal.objects.filter(plan__case=case)


def record_service(
    *,
    acting_user,
    case: Case,
    date,
    form: str,
    duration_minutes: int,
    content: str,
    person_times: int = 1,
    progress: str = "",
    next_step: str = "",
    goals=(),
    resources=(),
    uses=(),
    refer_partner=None,
    base_url="",
) -> ServiceRecord:
    """A service given on the case by the acting worker. Goals must be the case's own, resources its
    station's (a forged id of another case or station is refused, nothing saved). `uses` are the
    partners' resources it used (dicts of partner, kind, amount, hours, description: partners'
    ResourceUse, counted in the 五社联动 report), dated the record's day and saved with it or not at all.
    A record of form 转介 may refer the client to a registered partner (`refer_partner`, its registered
    contact gets the answer link): the referral is made with the record, which links to it."""
    require_case_worker(acting_user, case)
    content = (content or "").strip()
    if not content:
        raise CaseworkError("请填写服务内容。", code="content")
    if date is None or date > timezone.localdate():
        raise CaseworkError("服务日期不能晚于今天。", code="date")
    if date < timezone.localdate(case.opened_at):
        raise CaseworkError("服务日期不能早于接案日期。", code="date")
    if form not in ServiceRecord.Form.values:
        raise CaseworkError("请选择服务形式。", code="form")
    if not duration_minutes or duration_minutes < 1 or not person_times or person_times < 1:
        raise CaseworkError("时长和服务人次须为正整数。", code="numbers")
    if refer_partner is not None and form != ServiceRecord.Form.REFERRAL:
        raise CaseworkError("服务形式为“转介”时才能选择合作伙伴。", code="form")
    goal_ids = {getattr(goal, "pk", goal) for goal in goals}
    resource_ids = {getattr(resource, "pk", resource) for resource in resources}
    if goal_ids - set(case_goals(case).filter(pk__in=goal_ids).values_list("pk", flat=True)):
        raise CaseworkError("所选目标不属于本个案的服务计划。", code="goals")
    own_resources = Resource.objects.filter(station_id=case.station_id, pk__in=resource_ids)
    if resource_ids - set(own_resources.values_list("pk", flat=True)):
        raise CaseworkError("所选资源不属于本社工站。", code="resources")
    with transaction.atomic():
        stage = Case.objects.select_for_update().values_list("stage", flat=True).get(pk=case.pk)
        if stage not in SERVICE_STAGES:
            raise CaseworkError("个案处于介入阶段时才能登记服务记录。", code="transition")
        _check_month_open(acting_user, case, date)
        record = ServiceRecord.objects.create(
            case=case,
            station_id=case.station_id,
            date=date,
            form=form,
            duration_minutes=duration_minutes,
            content=content,
            progress=(progress or "").strip(),
            next_step=(next_step or "").strip(),
            person_times=person_times,
            worker=acting_user,
        )
        if goal_ids:
            record.goals.set(goal_ids)
        if resource_ids:
            record.resources.set(resource_ids)
        for use in uses:
            partners.record_use(acting_user=acting_user, owner=record, date=date, **use)
        if refer_partner is not None:
            record.partner_referral = refer_case_to_partner(
                acting_user=acting_user,
                case=case,
                partner=refer_partner,
                contact_name=refer_partner.contact_name,
                contact_phone=refer_partner.contact_phone,
                reason=content[:1000],
                base_url=base_url,
            )
            record.save(update_fields=["partner_referral"])
        record_event(
            case,
            CaseEvent.Kind.SERVICE,
            acting_user,
            f"{date} {record.get_form_display()} {duration_minutes}分钟：{content[:200]}",
            record=record.pk,
        )
    return record


def _check_month_open(acting_user, case: Case, date) -> None:
    """A service dated in a locked (approved) month needs a late-entry permit (stations.periods)."""
    try:
        periods.check_open(acting_user, case.station_id, date, kind="个案服务记录", label=case.reference)
    except ValidationError as error:
        raise CaseworkError(periods.LOCKED_MESSAGE, code="date") from error


# --- The partners' resources a record used (五社联动) ----------------------------------------------------


def add_record_use(*, acting_user, record: ServiceRecord, date=None, **use):
    """A resource use added to a record afterwards: by those who work the case (a colleague of the
    station who may not read the case may not either), dated in an open month."""
    require_case_worker(acting_user, record.case)
    date = date or record.date
    with transaction.atomic():
        _check_month_open(acting_user, record.case, date)
        return partners.record_use(acting_user=acting_user, owner=record, date=date, **use)


def remove_record_use(*, acting_user, use) -> None:
    record = use.service_record
    require_case_worker(acting_user, record.case)
    with transaction.atomic():
        _check_month_open(acting_user, record.case, use.date)
        partners.delete_use(acting_user=acting_user, use=use)
