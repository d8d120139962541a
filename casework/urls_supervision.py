"""Casework routes: supervision (review queue, notes, sign-off, sessions) and case conferences."""

from django.urls import path

from casework.views import conferences, signoff, supervision

urlpatterns = [
    path("supervision/", supervision.review_queue, name="review-queue"),
    path("<int:pk>/supervision/note/", supervision.case_note, name="supervision-note"),
    path("supervision/sessions/", supervision.session_list, name="session-list"),
    path("supervision/sessions/new/", supervision.session_create, name="session-create"),
    path("supervision/sessions/<int:pk>/", supervision.session_detail, name="session-detail"),
    path("supervision/items/<int:pk>/done/", supervision.action_item_done, name="action-item-done"),
    path("closures/<int:pk>/sign-off/", signoff.closure_sign_off, name="closure-sign-off"),
    path("closures/<int:pk>/district-return/", signoff.closure_return, name="closure-district-return"),
    path("<int:pk>/conferences/new/", conferences.conference_create, name="conference-create"),
]
