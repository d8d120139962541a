"""Casework routes: supervision (review queue, notes, sessions) and case conferences. The district sign-off
and return are the closure's own routes (urls_closure: closure-sign-off, closure-return), posted from the
case page and from the review queue."""

from django.urls import path

from casework.views import conferences, supervision

urlpatterns = [
    path("supervision/", supervision.review_queue, name="review-queue"),
    path("<int:pk>/supervision/note/", supervision.case_note, name="supervision-note"),
    path("supervision/sessions/", supervision.session_list, name="session-list"),
    path("supervision/sessions/new/", supervision.session_create, name="session-create"),
    path("supervision/sessions/<int:pk>/", supervision.session_detail, name="session-detail"),
    path("supervision/items/<int:pk>/done/", supervision.action_item_done, name="action-item-done"),
    path("<int:pk>/conferences/new/", conferences.conference_create, name="conference-create"),
]
