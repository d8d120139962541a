"""Casework routes: service records, evaluation, closure, follow-up, reopening, tasks and 我的待办."""

from django.urls import path

from casework.views import closing

urlpatterns = [
    path("<int:pk>/services/new/", closing.service_record_new, name="service-record-new"),
    path("<int:pk>/services/<int:record_pk>/uses/", closing.record_uses, name="record-uses"),
    path(
        "<int:pk>/services/<int:record_pk>/uses/<int:use_pk>/remove/",
        closing.record_use_remove,
        name="record-use-remove",
    ),
    path("<int:pk>/evaluate/", closing.evaluate, name="evaluate"),
    path("<int:pk>/resume/", closing.resume_intervention, name="resume-intervention"),
    path("<int:pk>/closure/", closing.closure_request, name="closure-request"),
    path(
        "closures/<int:pk>/approve/", closing.closure_decide, {"decision": "approve"}, name="closure-approve"
    ),
    path(
        "closures/<int:pk>/sign-off/",
        closing.closure_decide,
        {"decision": "sign-off"},
        name="closure-sign-off",
    ),
    path("closures/<int:pk>/return/", closing.closure_decide, {"decision": "return"}, name="closure-return"),
    path("closures/<int:pk>/follow-up/", closing.closure_follow_up, name="closure-follow-up"),
    path("<int:pk>/reopen/", closing.reopen, name="reopen"),
    path("<int:pk>/review/", closing.case_review, name="case-review"),
    path("<int:pk>/tasks/new/", closing.task_new, name="task-new"),
    path("tasks/<int:pk>/done/", closing.task_done, name="task-done"),
    path("tasks/", closing.my_tasks, name="my-tasks"),
]
