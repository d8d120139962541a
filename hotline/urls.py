from django.urls import path

from hotline import views

app_name = "hotline"

urlpatterns = [
    path("unplaced/", views.unplaced, name="unplaced"),
    path("orders/<int:pk>/dispatch/", views.dispatch, name="dispatch"),
    path("orders/<int:pk>/<slug:action>/", views.answer, name="answer"),
    path("extensions/<int:pk>/decide/", views.decide, name="decide"),
]
