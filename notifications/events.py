"""What SWS tells people about: the events, who may choose what for each, and the message templates'
placeholders. The one list; the preferences page, the templates admin and `dispatch.notify` read it."""

from django.db import models

from stations.access import STATION_ROLES, Role


class Event(models.TextChoices):
    REQUEST_NEW = "request_new", "新的扫码或热线诉求"
    REQUEST_ASSIGNED = "request_assigned", "诉求指派给我"
    REQUEST_P1 = "request_p1", "一级（P1）诉求登记"
    REQUEST_DUE_SOON = "request_due_soon", "诉求两小时内到期"
    REQUEST_OVERDUE = "request_overdue", "诉求已超期"
    FOLLOW_UP_DUE = "follow_up_due", "回访到期"
    VISIT_DUE = "visit_due", "探访到期"
    PLAN_SUBMITTED = "plan_submitted", "年度方案报送待审批"
    PLAN_APPROVED = "plan_approved", "年度方案已审批通过"
    PLAN_RETURNED = "plan_returned", "年度方案被退回"
    DAILY_DIGEST = "daily_digest", "每日工作汇总"
    # Casework (cwopen): a case's service plan awaiting approval, approved, returned.
    CASE_PLAN_SUBMITTED = "case_plan_submitted", "个案服务计划待审批"
    CASE_PLAN_APPROVED = "case_plan_approved", "个案服务计划已批准"
    CASE_PLAN_RETURNED = "case_plan_returned", "个案服务计划被退回"
    # Casework closure (cwclose): the head's approval, the district supervisor's sign-off, the outcome.
    CLOSURE_AWAITING_HEAD = "closure_awaiting_head", "个案结案待站长批准"
    CLOSURE_AWAITING_SIGNOFF = "closure_awaiting_signoff", "个案结案待区督导签批"
    CLOSURE_DECIDED = "closure_decided", "个案结案审批结果"
    # Casework (cwgaps): a case task due today or overdue; a case assigned or shared to me.
    CASE_TASK_DUE = "case_task_due", "个案待办到期"
    CASE_ASSIGNED = "case_assigned", "个案指派/共享给我"
    # The monthly report cycle (sws.reports.cycle): submitted, decided, due soon; late entries (补录).
    REPORT_SUBMITTED = "report_submitted", "月报报送待审核"
    REPORT_APPROVED = "report_approved", "月报已审核通过"
    REPORT_RETURNED = "report_returned", "月报被退回"
    REPORT_DUE = "report_due", "月报即将到期未报送"
    LATE_ENTRY_REQUESTED = "late_entry_requested", "补录申请待审批"
    LATE_ENTRY_DECIDED = "late_entry_decided", "补录申请审批结果"
    # Referrals to partners (partners): the partner answered through its link, or has not answered.
    REFERRAL_ANSWERED = "referral_answered", "合作伙伴回复了转介"
    REFERRAL_UNANSWERED = "referral_unanswered", "转介合作伙伴逾期未回复"
    # Transfers between stations: a proposal to the receiving station, its answer back to the sender.
    TRANSFER_PROPOSED = "transfer_proposed", "转移待接收（诉求、居民档案、个案）"
    TRANSFER_DECIDED = "transfer_decided", "转移处理结果"
    # The yearly evaluation (sws.evaluation.services): each step to whoever acts next; rectifications
    # (整改) to their owner when assigned, and each morning while due or overdue (sws.evaluation.reminders).
    EVALUATION_OPENED = "evaluation_opened", "考核评估已发起"
    EVALUATION_SENT = "evaluation_sent", "考核评估初评待站点反馈"
    EVALUATION_RESPONDED = "evaluation_responded", "站点已反馈考核评估，待审定"
    EVALUATION_APPROVED = "evaluation_approved", "考核评估已审定"
    RECTIFICATION_ASSIGNED = "rectification_assigned", "整改事项指派给我"
    RECTIFICATION_DUE = "rectification_due", "整改事项到期或逾期"
    # Not a choice anyone makes: the 08:00 entry that gathers the events a user chose to read in a digest.
    HELD_SUMMARY = "held_summary", "每日消息汇总"


class Mode(models.TextChoices):
    INBOX = "inbox", "仅站内消息"
    SMS = "sms", "站内消息＋短信"
    DIGEST = "digest", "每日汇总"


STATION = STATION_ROLES
HEAD = (Role.STATION_HEAD,)
DISTRICT = (Role.DISTRICT_STAFF,)
CITY = (Role.CITY_STAFF,)
EVALUATOR = (Role.EVALUATOR,)

# event → the roles that hear it (and so see it on their preferences page).
EVENT_ROLES = {
    Event.REQUEST_NEW: STATION,
    Event.REQUEST_ASSIGNED: STATION,
    Event.REQUEST_P1: HEAD,
    Event.REQUEST_DUE_SOON: STATION,
    Event.REQUEST_OVERDUE: STATION,
    Event.FOLLOW_UP_DUE: STATION,
    Event.VISIT_DUE: STATION,
    Event.PLAN_SUBMITTED: DISTRICT,
    Event.PLAN_APPROVED: STATION,
    Event.PLAN_RETURNED: STATION,
    Event.DAILY_DIGEST: HEAD + DISTRICT,
    Event.CASE_PLAN_SUBMITTED: HEAD + DISTRICT,  # a head's own plan goes to the district's supervisors
    Event.CASE_PLAN_APPROVED: STATION,
    Event.CASE_PLAN_RETURNED: STATION,
    Event.CLOSURE_AWAITING_HEAD: HEAD,
    Event.CLOSURE_AWAITING_SIGNOFF: DISTRICT,
    Event.CLOSURE_DECIDED: STATION,
    Event.CASE_TASK_DUE: STATION,
    Event.CASE_ASSIGNED: STATION,
    Event.REPORT_SUBMITTED: DISTRICT + CITY,  # a station's to its district, a district's to the city
    Event.REPORT_APPROVED: HEAD + DISTRICT,  # a station's to its head, a district's to its centre
    Event.REPORT_RETURNED: HEAD + DISTRICT,
    Event.REPORT_DUE: HEAD + DISTRICT,
    Event.LATE_ENTRY_REQUESTED: DISTRICT,
    Event.LATE_ENTRY_DECIDED: HEAD,
    Event.REFERRAL_ANSWERED: STATION,
    Event.REFERRAL_UNANSWERED: STATION,
    Event.TRANSFER_PROPOSED: STATION + DISTRICT,  # a transfer into another district: its centre too
    Event.TRANSFER_DECIDED: STATION,
    Event.EVALUATION_OPENED: HEAD,
    Event.EVALUATION_SENT: HEAD,
    Event.EVALUATION_RESPONDED: DISTRICT + EVALUATOR,
    Event.EVALUATION_APPROVED: HEAD,
    Event.RECTIFICATION_ASSIGNED: STATION,
    Event.RECTIFICATION_DUE: STATION,
}

# Until a user chooses: inbox only, but a P1 request reaches the head's phone.
DEFAULT_MODES = {Event.REQUEST_P1: Mode.SMS}

# A digest of a digest makes no sense.
NO_DIGEST = {Event.DAILY_DIGEST}


def default_mode(event) -> str:
    return DEFAULT_MODES.get(event, Mode.INBOX)


def modes_for(event) -> list[tuple[str, str]]:
    return [(m.value, m.label) for m in Mode if not (m == Mode.DIGEST and event in NO_DIGEST)]


def events_for_role(role) -> list[Event]:
    return [event for event, roles in EVENT_ROLES.items() if role in roles]


# Messages to residents (SMS only): the reference and where to look it up, nothing else.
class ResidentMessage(models.TextChoices):
    REGISTERED = "resident_registered", "居民：诉求已受理"
    RESOLVED = "resident_resolved", "居民：诉求已办结"


# Messages to a partner's contact (SMS only, partners): the link to answer, and the one reminder. They name
# the station, the partner and the kind of need, never the resident (the link shows what was consented).
class PartnerMessage(models.TextChoices):
    REFERRAL = "partner_referral", "合作伙伴：转介通知"
    REMINDER = "partner_reminder", "合作伙伴：转介催办"


REQUEST_PLACEHOLDERS = ("reference", "station", "category", "due")
PLAN_PLACEHOLDERS = ("station", "year")
DIGEST_PLACEHOLDERS = ("scope", "new", "overdue", "due_today")
RESIDENT_PLACEHOLDERS = ("reference", "station", "lookup_url", "code")
# A visit reminder names the resident masked (张**): an SMS leaves the system, the inbox links to the page.
VISIT_PLACEHOLDERS = ("resident", "community", "tier", "due", "station")
# A case's messages name its reference, never its client (texts leave the system).
CASE_PLAN_PLACEHOLDERS = ("reference", "station", "number")
# A case's texts carry its reference and station, never the client's name (it is confidential).
CASE_PLACEHOLDERS = ("reference", "station", "outcome")
# A task's title is free text a worker may have written the client's name into: it stays on the page.
CASE_TASK_PLACEHOLDERS = ("reference", "station", "due")
CASE_ASSIGNED_PLACEHOLDERS = ("reference", "station", "role")

# A monthly report's messages: the unit (station, district or city) and the month, nothing else.
REPORT_PLACEHOLDERS = ("unit", "month")
# A referral's texts: of a request or a case (subject: 诉求 or 个案), and its reference.
REFERRAL_PLACEHOLDERS = ("subject", "reference", "station", "partner", "outcome", "days")
PARTNER_PLACEHOLDERS = ("station", "partner", "category", "subject", "link", "days")

# A transfer's texts: what moves (subject: 诉求, 居民档案 or 个案), its reference (a resident's masked
# name) and the two stations.
TRANSFER_PLACEHOLDERS = ("subject", "reference", "station", "to_station", "outcome")

# An evaluation's texts: the station, the period and (once approved) the grade; a rectification's its due
# date, never its description (free text, which stays on the page).
EVALUATION_PLACEHOLDERS = ("station", "period", "grade", "total")
RECTIFICATION_PLACEHOLDERS = ("station", "period", "due")

# template code → the placeholders its text may use ({reference} …); anything else is refused on save.
PLACEHOLDERS = {
    Event.REQUEST_NEW: REQUEST_PLACEHOLDERS,
    Event.REQUEST_ASSIGNED: REQUEST_PLACEHOLDERS,
    Event.REQUEST_P1: REQUEST_PLACEHOLDERS,
    Event.REQUEST_DUE_SOON: REQUEST_PLACEHOLDERS,
    Event.REQUEST_OVERDUE: REQUEST_PLACEHOLDERS,
    Event.FOLLOW_UP_DUE: REQUEST_PLACEHOLDERS,
    Event.VISIT_DUE: VISIT_PLACEHOLDERS,
    Event.PLAN_SUBMITTED: PLAN_PLACEHOLDERS,
    Event.PLAN_APPROVED: PLAN_PLACEHOLDERS,
    Event.PLAN_RETURNED: PLAN_PLACEHOLDERS,
    Event.DAILY_DIGEST: DIGEST_PLACEHOLDERS,
    Event.HELD_SUMMARY: ("count",),
    Event.CASE_PLAN_SUBMITTED: CASE_PLAN_PLACEHOLDERS,
    Event.CASE_PLAN_APPROVED: CASE_PLAN_PLACEHOLDERS,
    Event.CASE_PLAN_RETURNED: CASE_PLAN_PLACEHOLDERS,
    Event.CLOSURE_AWAITING_HEAD: CASE_PLACEHOLDERS,
    Event.CLOSURE_AWAITING_SIGNOFF: CASE_PLACEHOLDERS,
    Event.CLOSURE_DECIDED: CASE_PLACEHOLDERS,
    Event.CASE_TASK_DUE: CASE_TASK_PLACEHOLDERS,
    Event.CASE_ASSIGNED: CASE_ASSIGNED_PLACEHOLDERS,
    Event.REPORT_SUBMITTED: REPORT_PLACEHOLDERS,
    Event.REPORT_APPROVED: REPORT_PLACEHOLDERS,
    Event.REPORT_RETURNED: REPORT_PLACEHOLDERS,
    Event.REPORT_DUE: REPORT_PLACEHOLDERS,
    Event.LATE_ENTRY_REQUESTED: REPORT_PLACEHOLDERS,
    Event.LATE_ENTRY_DECIDED: REPORT_PLACEHOLDERS,
    Event.REFERRAL_ANSWERED: REFERRAL_PLACEHOLDERS,
    Event.REFERRAL_UNANSWERED: REFERRAL_PLACEHOLDERS,
    PartnerMessage.REFERRAL: PARTNER_PLACEHOLDERS,
    PartnerMessage.REMINDER: PARTNER_PLACEHOLDERS,
    Event.TRANSFER_PROPOSED: TRANSFER_PLACEHOLDERS,
    Event.TRANSFER_DECIDED: TRANSFER_PLACEHOLDERS,
    Event.EVALUATION_OPENED: EVALUATION_PLACEHOLDERS,
    Event.EVALUATION_SENT: EVALUATION_PLACEHOLDERS,
    Event.EVALUATION_RESPONDED: EVALUATION_PLACEHOLDERS,
    Event.EVALUATION_APPROVED: EVALUATION_PLACEHOLDERS,
    Event.RECTIFICATION_ASSIGNED: RECTIFICATION_PLACEHOLDERS,
    Event.RECTIFICATION_DUE: RECTIFICATION_PLACEHOLDERS,
    ResidentMessage.REGISTERED: RESIDENT_PLACEHOLDERS,
    ResidentMessage.RESOLVED: RESIDENT_PLACEHOLDERS,
}

# Sample values for the admin's preview.
SAMPLE_CONTEXT = {
    "reference": "120113001-2026-00042",
    "station": "果园新村街道社工站",
    "category": "生活照料",
    "due": "12月3日 16:30",
    "year": "2027",
    "scope": "果园新村街道社工站",
    "new": 3,
    "overdue": 1,
    "due_today": 2,
    "count": 5,
    "lookup_url": "https://sws.example.gov.cn/r/status/",
    "code": "7KQ3MZ",
    "resident": "张**",
    "community": "朝阳里社区",
    "tier": "一级",
    "number": 1,
    "outcome": "已批准",
    "role": "主责社工",
    "unit": "果园新村街道社工站",
    "month": "2026年11月",
    "partner": "天津某充电设备有限公司",
    "link": "https://sws.example.gov.cn/p/Xk2…/",
    "days": 3,
    "to_station": "集贤里街道社工站",
    "period": "2026年度",
    "grade": "良好",
    "total": "86.50",
}
