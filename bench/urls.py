"""The application's URLs plus the benchmark's baseline views (never part of production URLs)."""

from django.urls import include, path

from bench import views

urlpatterns = [
    path("bench/baseline/", views.queue_baseline, name="bench-baseline"),
    path("bench/baseline-bare/", views.queue_baseline_bare, name="bench-baseline-bare"),
    path("", include("sws.urls")),
]
