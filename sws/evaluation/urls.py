from django.urls import path

from sws.evaluation import views

app_name = "evaluation"

urlpatterns = [
    path("", views.evaluation_list, name="list"),
    path("new/", views.evaluation_open, name="open"),
    path("<int:pk>/", views.evaluation_detail, name="detail"),
    path("<int:pk>/print/", views.evaluation_print, name="print"),
    path("<int:pk>.xlsx", views.evaluation_xlsx, name="xlsx"),
    *[
        path(f"<int:pk>/{step}/", views.evaluation_step, {"step": step}, name=step)
        for step in ("recompute", "send", "submit", "return", "approve")
    ],
    path("<int:pk>/scores/<int:score_pk>/", views.score_save, name="score"),
    path("<int:pk>/scores/<int:score_pk>/respond/", views.score_respond, name="respond"),
    path("<int:pk>/rectifications/new/", views.rectification_add, name="rectification-add"),
    path(
        "<int:pk>/rectifications/<int:item_pk>/report/",
        views.rectification_report,
        name="rectification-report",
    ),
    path(
        "<int:pk>/rectifications/<int:item_pk>/decide/",
        views.rectification_decide,
        name="rectification-decide",
    ),
]
