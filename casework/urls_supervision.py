"""Casework routes: supervision (review queue, notes, sign-off, sessions) and case conferences."""

urlpatterns = []
