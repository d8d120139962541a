"""One error format for every API answer that is not a success, in Chinese and English:

    {"detail": {"zh": "…", "en": "…"}, "errors": {"<field>": [{"zh": "…", "en": "…"}]}}

`errors` is empty unless a field is at fault."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response

from hotline.services import OrderError

MESSAGES = {
    400: ("请求有误。", "The request is invalid."),
    401: ("缺少或无效的接口密钥。", "Missing or invalid API key."),
    403: ("无权进行此操作。", "Not allowed."),
    404: ("未找到。", "Not found."),
    405: ("不支持该请求方法。", "Method not allowed."),
    406: ("无法提供所请求的格式。", "Cannot answer in the format asked for."),
    415: ("请以 application/json 提交。", "Send application/json."),
    429: ("请求过于频繁。", "Too many requests."),
}


def body(status_code, errors=None, detail=None):
    zh, en = detail or MESSAGES.get(status_code, ("请求失败。", "The request failed."))
    return {"detail": {"zh": zh, "en": en}, "errors": errors or {}}


def order_error_response(error: OrderError, status_code=status.HTTP_400_BAD_REQUEST):
    return Response(
        body(status_code, error.bilingual, ("工单有误，请按字段修改。", "The order is invalid.")),
        status=status_code,
    )


def exception_handler(exc, context):
    if isinstance(exc, OrderError):
        return order_error_response(exc)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None  # a bug: Django's 500
    code = exc.status_code
    headers = {}
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        code = status.HTTP_401_UNAUTHORIZED
        headers["WWW-Authenticate"] = "Api-Key"
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    return Response(body(code), status=code, headers=headers)
