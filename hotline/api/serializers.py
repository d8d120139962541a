"""What the API takes and gives, as OpenAPI sees it. Work orders are checked by the service
(`receive_work_order`), which the XLSX import shares; these serializers document the fields and shape
the answers."""

from rest_framework import serializers

from hotline.models import WorkOrder


class WorkOrderInSerializer(serializers.Serializer):
    ticket_no = serializers.CharField(max_length=40, help_text="热线工单编号（幂等键）。字母、数字、-、_。")
    received_at = serializers.DateTimeField(help_text="热线受理时间，ISO 8601，含时区。")
    caller_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    caller_phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    community_code = serializers.CharField(
        max_length=12, required=False, allow_blank=True, help_text="12位统计用区划代码（社区/村）。"
    )
    district_code = serializers.CharField(
        max_length=12, required=False, allow_blank=True, help_text="12位区代码；无社区代码时用于定位。"
    )
    category_code = serializers.CharField(max_length=40, help_text="热线自己的分类代码（管理后台对照表）。")
    content = serializers.CharField(max_length=2000)
    deadline_class = serializers.CharField(max_length=20, help_text="时限类别，如 normal、urgent。")


class WorkOrderSerializer(serializers.ModelSerializer):
    district_code = serializers.CharField(source="district.code", read_only=True)
    station_name = serializers.CharField(source="station.name", read_only=True, allow_null=True, default=None)
    reference = serializers.CharField(
        source="request.reference", read_only=True, allow_null=True, default=None
    )
    request_status = serializers.CharField(
        source="request.status", read_only=True, allow_null=True, default=None
    )
    category_code = serializers.CharField(source="hotline_category_code", read_only=True)
    satisfaction = serializers.ChoiceField(
        choices=[("", "未评价"), *WorkOrder.Satisfaction.choices], read_only=True, help_text="空：尚未评价"
    )

    class Meta:
        model = WorkOrder
        fields = [
            "ticket_no",
            "state",
            "received_at",
            "sign_due_at",
            "reply_due_at",
            "signed_at",
            "replied_at",
            "district_code",
            "community_code",
            "station_name",
            "reference",
            "request_status",
            "category_code",
            "deadline_class",
            "return_reason",
            "reply_text",
            "satisfaction",
            "satisfaction_comment",
        ]
        read_only_fields = fields


class SatisfactionSerializer(serializers.Serializer):
    satisfaction = serializers.ChoiceField(choices=WorkOrder.Satisfaction.choices)
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True)


class MessageSerializer(serializers.Serializer):
    zh = serializers.CharField()
    en = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    detail = MessageSerializer()
    errors = serializers.DictField(child=MessageSerializer(many=True))


class WorkOrderPageSerializer(serializers.Serializer):
    """A page of the list (limit/offset): how many in all, links to the neighbouring pages, the orders."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = WorkOrderSerializer(many=True)
