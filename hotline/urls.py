from django.urls import path

from hotline import views, views_import

app_name = "hotline"

urlpatterns = [
    path("unplaced/", views.unplaced, name="unplaced"),
    path("import/", views_import.import_page, name="import"),
    path("import/template/", views_import.import_template, name="import-template"),
    path("orders/<int:pk>/dispatch/", views.dispatch, name="dispatch"),
    path("orders/<int:pk>/<slug:action>/", views.answer, name="answer"),
    path("extensions/<int:pk>/decide/", views.decide, name="decide"),
]
