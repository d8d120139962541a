"""Casework routes: opening a case, intake, consent, assessment, plan, the case list."""

from django.urls import path

from casework.views import intake, planning

urlpatterns = [
    path("", intake.case_list, name="case-list"),
    path("new/", intake.case_open, name="case-open"),
    path("from-request/<int:pk>/", intake.case_open_from_request, name="case-open-from-request"),
    path("<int:pk>/parties/", intake.case_party_add, name="case-party-add"),
    path("<int:pk>/parties/<int:party_pk>/", intake.case_party_edit, name="case-party-edit"),
    path("<int:pk>/parties/<int:party_pk>/remove/", intake.case_party_remove, name="case-party-remove"),
    path("<int:pk>/consent/", intake.case_consent, name="case-consent"),
    path("<int:pk>/accept/", intake.case_accept, name="case-accept"),
    path("<int:pk>/decline/", intake.case_decline, name="case-decline"),
    path("<int:pk>/workers/", intake.case_workers, name="case-workers"),
    path("<int:pk>/share/", intake.case_share, name="case-share"),
    path("<int:pk>/assessments/new/", planning.assessment_start, name="assessment-start"),
    path("assessments/<int:pk>/", planning.assessment_page, name="assessment"),
    path("<int:pk>/plans/new/", planning.plan_start, name="plan-start"),
    path("plans/<int:pk>/", planning.plan_page, name="plan"),
    path("plans/<int:pk>/review/", planning.plan_review, name="plan-review"),
]
