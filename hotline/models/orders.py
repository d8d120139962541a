"""Work orders (工单) from the 12345 hotline, the tables that map them onto SWS, and extension requests.

A work order comes in through the API (`hotline.services.receive_work_order`), is placed at a station
(a request, channel 12345, is created there) or, when neither its community code nor its address names a
place SWS serves, waits in its district's 未能定位 queue for the district centre to dispatch by hand. The
station answers it: 签收 (sign), 退回 (return), 延期申请 (extension, decided by the district centre),
办结回复 (reply); each answer goes back to the hotline as a signed callback through the outbox.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from residents.models import Category, Request
from stations.access import ScopedQuerySet
from stations.locking import Versioned
from stations.models import Community, District, Station


class HotlineCategory(models.Model):
    """The hotline's own category list, mapped onto ours (admin-editable)."""

    code = models.CharField("热线分类代码", max_length=40, unique=True)
    name = models.CharField("热线分类名称", max_length=100)
    category = models.ForeignKey(
        Category, verbose_name="对应诉求分类", on_delete=models.PROTECT, related_name="hotline_categories"
    )
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "热线分类对照"
        verbose_name_plural = "热线分类对照"
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class DeadlineRule(models.Model):
    """The hotline's limits per deadline class (时限类别): sign within N working minutes, reply within N
    working days (both counted by stations.workdays). Data, not code: the admin edits them."""

    deadline_class = models.CharField("时限类别", max_length=20, unique=True)
    name = models.CharField("名称", max_length=50)
    sign_within_minutes = models.PositiveIntegerField("签收时限（工作分钟）")
    reply_within_working_days = models.PositiveIntegerField("办结时限（工作日）")
    urgent = models.BooleanField("紧急", default=False, help_text="紧急类别的工单登记为“急”。")

    class Meta:
        verbose_name = "热线时限规则"
        verbose_name_plural = "热线时限规则"
        ordering = ["sign_within_minutes", "deadline_class"]

    def __str__(self):
        return f"{self.name}（{self.deadline_class}）"


class WorkOrderQuerySet(ScopedQuerySet):
    station_lookup = "station"
    district_lookup = "district"

    def unplaced(self):
        return self.filter(state=WorkOrder.State.UNPLACED)

    def for_api_key(self, api_key):
        """What a key may read and answer: the whole city, or its district's orders."""
        if api_key.district_id is None:
            return self.all()
        return self.filter(district_id=api_key.district_id)


class WorkOrder(Versioned):  # optimistic lock: stations.locking (dispatch by hand, the answers)
    class State(models.TextChoices):
        RECEIVED = "received", "待签收"
        UNPLACED = "unplaced", "未能定位"
        SIGNED = "signed", "已签收"
        RETURNED = "returned", "已退回"
        EXTENSION_REQUESTED = "extension_requested", "延期申请中"
        REPLIED = "replied", "已办结回复"
        CLOSED = "closed", "已评价"

    class Satisfaction(models.TextChoices):
        # The same values as the request's 回访 (residents Request.Satisfaction).
        SATISFIED = "satisfied", "满意"
        FAIRLY = "fairly", "基本满意"
        DISSATISFIED = "dissatisfied", "不满意"

    ticket_no = models.CharField("工单编号", max_length=40, unique=True)
    received_at = models.DateTimeField("热线受理时间")
    caller_name = models.CharField("来电人", max_length=50, blank=True)
    caller_phone = models.CharField("来电号码", max_length=20, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    community_code = models.CharField("社区代码", max_length=12, blank=True)
    hotline_category_code = models.CharField("热线分类代码", max_length=40)
    content = models.TextField("工单内容", max_length=2000)
    deadline_class = models.CharField("时限类别", max_length=20)
    sign_due_at = models.DateTimeField("签收期限")
    reply_due_at = models.DateTimeField("办结期限")
    signed_at = models.DateTimeField("签收时间", null=True, blank=True)
    replied_at = models.DateTimeField("办结回复时间", null=True, blank=True)
    state = models.CharField("状态", max_length=20, choices=State.choices)
    district = models.ForeignKey(District, verbose_name="区", on_delete=models.PROTECT, related_name="+")
    station = models.ForeignKey(
        Station, verbose_name="社工站", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    community = models.ForeignKey(
        Community, verbose_name="社区", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    request = models.OneToOneField(
        Request,
        verbose_name="诉求",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_order",
    )
    api_key = models.ForeignKey(
        "hotline.ApiKey",
        verbose_name="来源",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    return_reason = models.CharField("退回原因", max_length=500, blank=True)
    reply_text = models.TextField("办结回复", max_length=2000, blank=True)
    satisfaction = models.CharField("满意度", max_length=12, choices=Satisfaction.choices, blank=True)
    satisfaction_comment = models.CharField("来电人评价", max_length=500, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = WorkOrderQuerySet.as_manager()

    class Meta:
        verbose_name = "热线工单"
        verbose_name_plural = "热线工单"
        ordering = ["sign_due_at", "pk"]
        indexes = [
            models.Index(fields=["district", "state", "sign_due_at"], name="workorder_district_state_idx"),
            models.Index(fields=["station", "state", "reply_due_at"], name="workorder_station_state_idx"),
            models.Index(fields=["received_at", "district"], name="workorder_received_idx"),
        ]

    def __str__(self):
        return self.ticket_no

    def get_absolute_url(self):
        if self.request_id:
            return reverse("residents:request-detail", args=[self.request_id])
        return reverse("hotline:unplaced")

    @property
    def is_sign_overdue(self):
        return self.signed_at is None and self.sign_due_at < timezone.now()

    @property
    def is_reply_overdue(self):
        return self.replied_at is None and self.reply_due_at < timezone.now()

    # Answers a station may give, by state (the services refuse anything else).
    ACTION_FROM = {
        "sign": (State.RECEIVED,),
        "return": (State.RECEIVED, State.SIGNED),
        "extend": (State.SIGNED,),
        "reply": (State.SIGNED,),
    }
    ACTION_LABELS = {"sign": "签收", "return": "退回", "extend": "延期申请", "reply": "办结回复"}

    def can(self, action) -> bool:
        return self.state in self.ACTION_FROM[action]


class ExtensionRequest(models.Model):
    """延期申请: a station asks for more time (reason, new date); the district centre approves or refuses."""

    class State(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "已同意"
        REFUSED = "refused", "未同意"

    work_order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="extensions")
    reason = models.CharField("延期原因", max_length=500)
    new_due_on = models.DateField("申请办结日期")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField("申请时间", default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decision_note = models.CharField("审核意见", max_length=500, blank=True)

    class Meta:
        verbose_name = "延期申请"
        verbose_name_plural = "延期申请"
        ordering = ["-requested_at"]

    def __str__(self):
        return f"{self.work_order} 延期至 {self.new_due_on}"
