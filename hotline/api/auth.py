"""API keys: `Authorization: Api-Key sws_…` (or `X-Api-Key: sws_…`). No session, no CSRF: a browser's
cookies open nothing here. A revoked, expired or unknown key is a 401."""

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from hotline.models import ApiKey

SCHEME = "Api-Key"


def presented_key(request) -> str:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header.startswith(f"{SCHEME} "):
        return header[len(SCHEME) + 1 :].strip()
    return request.META.get("HTTP_X_API_KEY", "").strip()


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        plain = presented_key(request)
        if not plain:
            return None
        key = ApiKey.authenticate(plain)
        if key is None:
            raise exceptions.AuthenticationFailed("密钥无效、已过期或已吊销。")
        request._request.api_key = key  # the call log names it
        return AnonymousUser(), key

    def authenticate_header(self, request):
        return SCHEME


class HasApiKey(permissions.BasePermission):
    def has_permission(self, request, view):
        return isinstance(request.auth, ApiKey)


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """The schema's security scheme: the key in the Authorization header."""

    target_class = "hotline.api.auth.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Authorization: Api-Key sws_<密钥编号>_<密钥>",
        }
