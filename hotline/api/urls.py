from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from hotline.api import views

app_name = "api"

urlpatterns = [
    path("v1/work-orders/", views.WorkOrderList.as_view(), name="work-orders"),
    path("v1/work-orders/<str:ticket_no>/", views.WorkOrderDetail.as_view(), name="work-order"),
    path(
        "v1/work-orders/<str:ticket_no>/satisfaction/",
        views.WorkOrderSatisfaction.as_view(),
        name="work-order-satisfaction",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
