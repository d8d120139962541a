"""Casework routes: opening a case, intake, consent, assessment, plan, the case list."""

urlpatterns = []
