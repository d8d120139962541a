from django.urls import path

from hotline import open311

app_name = "open311"

urlpatterns = [
    path("v2/services.json", open311.services, name="services"),
    path("v2/requests.json", open311.requests_json, name="requests"),
    path("v2/requests/<str:service_request_id>.json", open311.request_detail, name="request"),
]
