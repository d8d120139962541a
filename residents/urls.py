"""Residents registry, intake, the triage queue and the case pages (staff only; the public QR pages are
in urls_public)."""

from django.urls import path

from residents import (
    views,
    views_care,
    views_handover,
    views_import,
    views_intake,
    views_requests,
    views_transfers,
)

app_name = "residents"


def _action(name):
    slug = name.replace("_", "-")
    return path(
        f"requests/<int:pk>/{slug}/",
        views_requests.request_action,
        {"action": name},
        name=f"request-{slug}",
    )


urlpatterns = [
    path("", views.resident_list, name="resident-list"),
    path("new/", views.resident_create, name="resident-create"),
    path("search/", views.resident_search, name="resident-search"),
    path("lookup/", views.resident_lookup, name="resident-lookup"),
    path("held-id-numbers/", views.held_id_numbers, name="held-id-numbers"),
    path("<int:pk>/", views.resident_detail, name="resident-detail"),
    path("<int:pk>/edit/", views.resident_edit, name="resident-edit"),
    path("<int:pk>/reveal/", views.resident_reveal, name="resident-reveal"),
    path("<int:pk>/phone/", views.resident_phone, name="resident-phone"),
    # The care registry: tier, support statuses, household, visits (issue #20)
    path("visits/", views_care.visit_due, name="visit-due"),
    path("import/", views_import.registry_import_page, name="registry-import"),
    path("import/template/", views_import.registry_import_template, name="registry-import-template"),
    path("import/<int:pk>/", views_import.registry_import_job, name="registry-import-job"),
    path(
        "import/<int:pk>/commit/", views_import.registry_import_job_commit, name="registry-import-job-commit"
    ),
    path("<int:pk>/care/", views_care.resident_care, name="resident-care"),
    path("<int:pk>/care/tier/", views_care.resident_tier, name="resident-tier"),
    path("<int:pk>/care/statuses/", views_care.resident_status_add, name="resident-status-add"),
    path("<int:pk>/care/household/", views_care.resident_household, name="resident-household"),
    path("<int:pk>/visits/new/", views_care.visit_log, name="visit-log"),
    path("requests/", views_requests.request_queue, name="request-queue"),
    path("handover/<int:pk>/", views_handover.handover, name="handover"),
    path("requests/new/", views_intake.intake, name="intake"),
    path("requests/new/duplicates/", views_intake.intake_duplicates, name="intake-duplicates"),
    path("requests/<int:pk>/", views_requests.request_detail, name="request-detail"),
    path("requests/<int:pk>/phone/", views_requests.request_phone, name="request-phone"),
    # Transfers between stations and the district's dispatch (issue #21)
    path("transfers/", views_transfers.transfer_inbox, name="transfer-inbox"),
    path("transfers/<int:pk>/", views_transfers.transfer_decide, name="transfer-decide"),
    path("transfers/<int:pk>/cancel/", views_transfers.transfer_cancel, name="transfer-cancel"),
    path("requests/<int:pk>/transfer/", views_transfers.transfer_propose, name="transfer-propose"),
    path("<int:pk>/transfer/", views_transfers.resident_transfer_propose, name="resident-transfer-propose"),
    path("requests/<int:pk>/dispatch/", views_transfers.request_dispatch, name="request-dispatch"),
    *[_action(name) for name in views_requests.ACTIONS if name != "referral_outcome"],
    path(
        "requests/<int:pk>/referrals/<int:referral_pk>/outcome/",
        views_requests.request_action,
        {"action": "referral_outcome"},
        name="referral-outcome",
    ),
]
