"""Message templates in Chinese, editable by admins: one text per (code, channel), with `{reference}`-style
placeholders checked against `events.PLACEHOLDERS` when saved. A code without a saved row falls back to
`DEFAULT_TEXTS` (the same texts the data migration seeds), so a deleted row never silences an event."""

import string

from django.core.exceptions import ValidationError
from django.db import models

from notifications.events import PLACEHOLDERS, Event, PartnerMessage, ResidentMessage


class Channel(models.TextChoices):
    INBOX = "inbox", "站内消息"
    SMS = "sms", "短信"


TEMPLATE_CODES = [*Event.choices, *ResidentMessage.choices, *PartnerMessage.choices]
SMS_MAX = 300  # a long SMS is split and billed per 70 characters; keep texts short

# (code, channel) → text. Residents' texts carry the reference and the lookup address only.
DEFAULT_TEXTS = {
    ("request_new", "inbox"): "新诉求 {reference}（{category}），请及时研判",
    ("request_new", "sms"): "【社工站】新诉求{reference}（{category}），请登录系统及时研判。",
    ("request_assigned", "inbox"): "诉求 {reference} 已指派给您，办理期限 {due}",
    ("request_assigned", "sms"): "【社工站】诉求{reference}已指派给您，办理期限{due}。",
    ("request_p1", "inbox"): "一级诉求 {reference}（{category}）已登记，办理期限 {due}",
    ("request_p1", "sms"): "【社工站】一级诉求{reference}（{category}）已登记，办理期限{due}，请立即安排。",
    ("request_due_soon", "inbox"): "诉求 {reference} 将于 {due} 到期",
    ("request_due_soon", "sms"): "【社工站】诉求{reference}将于{due}到期，请抓紧办理。",
    ("request_overdue", "inbox"): "诉求 {reference} 已超期（期限 {due}）",
    ("request_overdue", "sms"): "【社工站】诉求{reference}已超过办理期限{due}，请尽快处理。",
    ("follow_up_due", "inbox"): "诉求 {reference} 已到回访日期，请回访",
    ("follow_up_due", "sms"): "【社工站】诉求{reference}已到回访日期，请及时回访。",
    ("visit_due", "inbox"): "探访到期：{resident}（{community}，{tier}），应于 {due} 探访",
    ("visit_due", "sms"): "【社工站】{community}{resident}（{tier}）应于{due}探访，请及时安排。",
    ("plan_submitted", "inbox"): "{station}报送了{year}年度实施方案，待审批",
    ("plan_submitted", "sms"): "【社工站】{station}报送了{year}年度实施方案，请登录系统审批。",
    ("plan_approved", "inbox"): "{year}年度实施方案已审批通过",
    ("plan_approved", "sms"): "【社工站】{station}{year}年度实施方案已审批通过。",
    ("plan_returned", "inbox"): "{year}年度实施方案被退回，请按意见修改",
    ("plan_returned", "sms"): "【社工站】{station}{year}年度实施方案被退回，请登录系统查看修改意见。",
    (
        "daily_digest",
        "inbox",
    ): "每日汇总（{scope}）：新诉求 {new} 件，已超期 {overdue} 件，今日到期 {due_today} 件",
    ("daily_digest", "sms"): "【社工站】{scope}：新诉求{new}件，已超期{overdue}件，今日到期{due_today}件。",
    ("case_plan_submitted", "inbox"): "个案 {reference} 的第{number}版服务计划待审批",
    ("case_plan_submitted", "sms"): "【社工站】个案{reference}的第{number}版服务计划已提交，请登录系统审批。",
    ("case_plan_approved", "inbox"): "个案 {reference} 的第{number}版服务计划已批准",
    ("case_plan_approved", "sms"): "【社工站】个案{reference}的第{number}版服务计划已批准。",
    ("case_plan_returned", "inbox"): "个案 {reference} 的第{number}版服务计划被退回，请按意见修改",
    (
        "case_plan_returned",
        "sms",
    ): "【社工站】个案{reference}的第{number}版服务计划被退回，请登录系统查看修改意见。",
    ("closure_awaiting_head", "inbox"): "个案 {reference} 申请结案，待您批准",
    ("closure_awaiting_head", "sms"): "【社工站】个案{reference}申请结案，请登录系统审批。",
    ("closure_awaiting_signoff", "inbox"): "{station}个案 {reference} 结案待区督导签批",
    (
        "closure_awaiting_signoff",
        "sms",
    ): "【社工站】{station}个案{reference}结案待区督导签批，请登录系统处理。",
    ("closure_decided", "inbox"): "个案 {reference} 结案申请{outcome}",
    ("closure_decided", "sms"): "【社工站】个案{reference}结案申请{outcome}，请登录系统查看。",
    ("case_task_due", "inbox"): "个案 {reference} 有待办于 {due} 到期，请及时处理",
    ("case_task_due", "sms"): "【社工站】个案{reference}有待办于{due}到期，请登录系统处理。",
    ("case_assigned", "inbox"): "个案 {reference} 已指派/共享给您（{role}）",
    ("case_assigned", "sms"): "【社工站】{station}个案{reference}已指派/共享给您（{role}），请登录系统查看。",
    # The monthly report cycle (sws.reports.cycle): unit and month only.
    ("report_submitted", "inbox"): "{unit}报送了{month}月报，待审核",
    ("report_submitted", "sms"): "【社工站】{unit}报送了{month}月报，请登录系统审核。",
    ("report_approved", "inbox"): "{unit}{month}月报已审核通过（已锁定）",
    ("report_approved", "sms"): "【社工站】{unit}{month}月报已审核通过。",
    ("report_returned", "inbox"): "{unit}{month}月报被退回，请按意见修改后重新报送",
    ("report_returned", "sms"): "【社工站】{unit}{month}月报被退回，请登录系统查看审核意见。",
    ("report_due", "inbox"): "{unit}{month}月报即将到期，请及时报送",
    ("report_due", "sms"): "【社工站】{unit}{month}月报即将到期，请登录系统报送。",
    ("late_entry_requested", "inbox"): "{unit}申请补录{month}数据，待审批",
    ("late_entry_requested", "sms"): "【社工站】{unit}申请补录{month}数据，请登录系统审批。",
    ("late_entry_decided", "inbox"): "{unit}{month}补录申请已审批",
    ("late_entry_decided", "sms"): "【社工站】{unit}{month}补录申请已审批，请登录系统查看。",
    ("referral_answered", "inbox"): "{subject} {reference}：{partner}回复“{outcome}”",
    (
        "referral_answered",
        "sms",
    ): "【社工站】{subject}{reference}转介的{partner}回复“{outcome}”，请登录系统查看。",
    ("referral_unanswered", "inbox"): "{subject} {reference} 转介{partner}已{days}天未回复",
    ("referral_unanswered", "sms"): "【社工站】{subject}{reference}转介{partner}已{days}天未回复，请跟进。",
    (
        "partner_referral",
        "sms",
    ): "【{station}】向{partner}转介一件{category}{subject}，请点击链接查看并回复：{link}",
    (
        "partner_reminder",
        "sms",
    ): "【{station}】转介给{partner}的{category}{subject}已{days}天未回复，请点击链接回复：{link}",
    ("transfer_proposed", "inbox"): "{station}申请将{subject} {reference} 转至本站，待接收",
    (
        "transfer_proposed",
        "sms",
    ): "【社工站】{station}申请将{subject}{reference}转至{to_station}，请登录系统接收或拒绝。",
    ("transfer_decided", "inbox"): "{subject} {reference} 转至{to_station}：{outcome}",
    ("transfer_decided", "sms"): "【社工站】{subject}{reference}转至{to_station}：{outcome}。",
    ("evaluation_opened", "inbox"): "{station}{period}考核评估已发起，系统指标已自动计算",
    ("evaluation_opened", "sms"): "【社工站】{station}{period}考核评估已发起，请登录系统查看。",
    ("evaluation_sent", "inbox"): "{station}{period}考核评估初评已完成，请查看并反馈",
    ("evaluation_sent", "sms"): "【社工站】{station}{period}考核评估初评已完成，请登录系统查看并反馈。",
    ("evaluation_responded", "inbox"): "{station}已反馈{period}考核评估，待审定",
    ("evaluation_responded", "sms"): "【社工站】{station}已反馈{period}考核评估，请登录系统审定。",
    ("evaluation_approved", "inbox"): "{station}{period}考核评估已审定：{total}分，{grade}",
    ("evaluation_approved", "sms"): "【社工站】{station}{period}考核评估已审定：{total}分，{grade}。",
    ("rectification_assigned", "inbox"): "{station}{period}考核评估的整改事项指派给您，期限 {due}",
    (
        "rectification_assigned",
        "sms",
    ): "【社工站】{period}考核评估有整改事项指派给您，期限{due}，请登录系统查看。",
    ("rectification_due", "inbox"): "整改事项期限 {due}（{period}考核评估），请及时整改并报告",
    ("rectification_due", "sms"): "【社工站】您的整改事项期限{due}（{period}考核评估），请及时整改并报告。",
    ("held_summary", "inbox"): "每日消息汇总：共 {count} 条消息",
    ("held_summary", "sms"): "【社工站】您有{count}条新消息，请登录系统查看。",
    (
        "resident_registered",
        "sms",
    ): ("【社工站】您的诉求已受理，受理编号{reference}，查询码{code}。查询办理进度：{lookup_url}"),
    ("resident_resolved", "sms"): "【社工站】您的诉求{reference}已办结，查询码{code}。查看结果：{lookup_url}",
}


def placeholders_in(text: str) -> list[str]:
    """The placeholder names in `text`; a malformed text, a positional `{}`, an attribute or index
    (`{reference.x}`, `{a[0]}`) or a format spec is refused: a template is words and names, no code."""
    names = []
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        raise ValidationError("模板格式有误：花括号不成对。若要显示花括号本身，请写成 {{ 或 }}。") from None
    for _literal, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise ValidationError(f"占位符“{{{name}}}”格式不正确，只能写成 {{名称}} 的形式。")
        names.append(name)
    return names


def check_text(code: str, text: str):
    allowed = PLACEHOLDERS.get(code, ())
    unknown = sorted({name for name in placeholders_in(text) if name not in allowed})
    if unknown:
        listed = "、".join(f"{{{n}}}" for n in allowed) or "（无）"
        raise ValidationError(
            f"不能使用占位符 {'、'.join('{' + n + '}' for n in unknown)}；此模板可用：{listed}。"
        )


class MessageTemplate(models.Model):
    code = models.CharField("消息类型", max_length=40, choices=TEMPLATE_CODES)
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    text = models.TextField("内容", max_length=SMS_MAX)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "消息模板"
        verbose_name_plural = "消息模板"
        ordering = ["code", "channel"]
        constraints = [models.UniqueConstraint(fields=["code", "channel"], name="one_template_per_channel")]

    def __str__(self):
        return f"{self.get_code_display()}（{self.get_channel_display()}）"

    def save(self, *args, **kwargs):
        # Validated on every save, not only in forms: a template that cannot render must never be stored.
        check_text(self.code, self.text or "")
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        try:
            check_text(self.code, self.text or "")
        except ValidationError as error:
            raise ValidationError({"text": error.messages}) from None

    def render(self, context) -> str:
        return render_text(self.text, context)


def render_text(text: str, context) -> str:
    return text.format_map({name: context.get(name, "") for name in placeholders_in(text)})


def texts(code: str, channels=("inbox", "sms")) -> dict[str, str]:
    """The current text per channel for `code`: one query."""
    rows = MessageTemplate.objects.filter(code=code, channel__in=channels).values_list("channel", "text")
    found = dict(rows)
    return {channel: found.get(channel) or DEFAULT_TEXTS.get((code, channel), "") for channel in channels}
