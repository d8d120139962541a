from django.urls import path

from attachments import views

app_name = "attachments"

urlpatterns = [
    path("<int:pk>/", views.download, name="download"),
    path("<int:pk>/remove/", views.remove, name="remove"),
    path("new/<str:owner_type>/<int:owner_id>/", views.upload, name="upload"),
]
