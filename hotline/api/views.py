"""The API's views: every one logs its call (with the key's name) and answers errors in one format."""

import time

from django.db import transaction
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from hotline.api import errors
from hotline.api.serializers import (
    ErrorSerializer,
    SatisfactionSerializer,
    WorkOrderInSerializer,
    WorkOrderPageSerializer,
    WorkOrderSerializer,
)
from hotline.models import ApiCall, ApiKey, WorkOrder
from hotline.services import OrderError, receive_work_order, record_satisfaction
from stations.audit import forwarded_remote

ERROR = OpenApiResponse(ErrorSerializer)
COMMON_ERRORS = {401: ERROR, 403: ERROR, 405: ERROR, 406: ERROR, 415: ERROR, 429: ERROR}


def log_call(request, response, started, api_key=None):
    """One ApiCall row per call, outside whatever transaction the view used (a refused call is logged)."""
    key = api_key or getattr(request, "api_key", None)
    try:
        remote = forwarded_remote(request) or None
    except Exception:  # noqa: BLE001 — an odd address must not lose the log line
        remote = None
    with transaction.atomic():
        ApiCall.objects.create(
            api_key=key,
            key_name=key.name if key else "",
            method=request.method[:8],
            path=request.get_full_path()[:300],
            status=response.status_code,
            duration_ms=int((time.monotonic() - started) * 1000),
            remote_addr=remote,
        )
        if key is not None:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())


class LoggedAPIView(APIView):
    def initial(self, request, *args, **kwargs):
        request._request._api_started = time.monotonic()
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        started = getattr(request._request, "_api_started", time.monotonic())
        log_call(request._request, response, started)
        return response


class Pagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 200


def _by_ticket(request, ticket_no):
    if "\x00" in ticket_no:  # no order has one; PostgreSQL refuses to compare it
        return None
    return _scoped(request).filter(ticket_no=ticket_no).first()


def _scoped(request):
    return WorkOrder.objects.for_api_key(request.auth).select_related("district", "station", "request")


class WorkOrderList(LoggedAPIView):
    @extend_schema(
        operation_id="work_orders_list",
        summary="本密钥范围内的工单",
        parameters=[
            OpenApiParameter("state", str, enum=WorkOrder.State.values, description="按状态筛选"),
            OpenApiParameter("limit", int, description="每页条数（默认50，最多200）"),
            OpenApiParameter("offset", int, description="从第几条开始"),
        ],
        responses={200: WorkOrderPageSerializer, 400: ERROR, **COMMON_ERRORS},
    )
    def get(self, request):
        orders = _scoped(request).order_by("-received_at", "-pk")
        state = request.query_params.get("state")
        if state:
            if state not in WorkOrder.State.values:
                raise OrderError.one("state", "未知的状态。", "Unknown state.")
            orders = orders.filter(state=state)
        paginator = Pagination()
        page = paginator.paginate_queryset(orders, request, view=self)
        return paginator.get_paginated_response(WorkOrderSerializer(page, many=True).data)

    @extend_schema(
        operation_id="work_orders_create",
        summary="推送工单（同一工单编号重复推送返回原工单）",
        request=WorkOrderInSerializer,
        responses={
            201: WorkOrderSerializer,
            200: OpenApiResponse(WorkOrderSerializer, description="该工单编号已接收过：原工单"),
            400: ERROR,
            **COMMON_ERRORS,
        },
    )
    def post(self, request):
        order, created = receive_work_order(api_key_or_user=request.auth, data=request.data)
        order = _scoped(request).get(pk=order.pk)
        return Response(
            WorkOrderSerializer(order).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class WorkOrderDetail(LoggedAPIView):
    @extend_schema(
        operation_id="work_orders_retrieve",
        summary="一张工单",
        responses={200: WorkOrderSerializer, 404: ERROR, **COMMON_ERRORS},
    )
    def get(self, request, ticket_no):
        order = _by_ticket(request, ticket_no)
        if order is None:
            return Response(errors.body(404), status=404)
        return Response(WorkOrderSerializer(order).data)


class WorkOrderSatisfaction(LoggedAPIView):
    @extend_schema(
        operation_id="work_orders_satisfaction",
        summary="来电人满意度回访结果（办结回复之后）",
        request=SatisfactionSerializer,
        responses={200: WorkOrderSerializer, 400: ERROR, 404: ERROR, **COMMON_ERRORS},
    )
    def post(self, request, ticket_no):
        order = _by_ticket(request, ticket_no)
        if order is None:
            return Response(errors.body(404), status=404)
        data = request.data if isinstance(request.data, dict) else {}
        record_satisfaction(
            api_key=request.auth,
            order=order,
            satisfaction=data.get("satisfaction"),
            comment=data.get("comment", ""),
        )
        return Response(WorkOrderSerializer(_scoped(request).get(pk=order.pk)).data)
