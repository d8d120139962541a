"""Casework routes: service records, evaluation, closure, follow-up, reopening, tasks and 我的待办."""

urlpatterns = []
