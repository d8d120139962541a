from django.urls import path

from projects.views import activities, clusters, funds, groups, plans, resources, volunteers
from projects.views import projects as project_views

app_name = "projects"

urlpatterns = [
    path("", project_views.project_list, name="project-list"),
    path("new/", project_views.project_create, name="project-create"),
    path("<int:pk>/", project_views.project_detail, name="project-detail"),
    path("<int:pk>/edit/", project_views.project_edit, name="project-edit"),
    path(
        "<int:pk>/resolve-requests/", project_views.project_resolve_requests, name="project-resolve-requests"
    ),
    path("<int:pk>/complete/", clusters.project_complete, name="project-complete"),
    # Place-based request clusters (聚类建议) and the project made of one
    path("clusters/", clusters.cluster_list, name="cluster-list"),
    path("clusters/project/", clusters.cluster_project, name="cluster-project"),
    # Volunteers, their hours and proofs of service hours
    path("volunteers/", volunteers.volunteer_list, name="volunteer-list"),
    path("volunteers/export/", volunteers.volunteer_export, name="volunteer-export"),
    path("volunteers/new/", volunteers.volunteer_create, name="volunteer-create"),
    path("volunteers/<int:pk>/", volunteers.volunteer_detail, name="volunteer-detail"),
    path("volunteers/<int:pk>/edit/", volunteers.volunteer_edit, name="volunteer-edit"),
    path("volunteers/<int:pk>/phone/", volunteers.volunteer_phone, name="volunteer-phone"),
    path("volunteers/<int:pk>/proof/", volunteers.proof_issue, name="proof-issue"),
    path("proofs/<int:pk>/", volunteers.proof_detail, name="proof-detail"),
    path("visits/<int:pk>/hours/", volunteers.visit_hours, name="visit-hours"),
    # Activities
    path("activities/", activities.activity_list, name="activity-list"),
    path("activities/new/", activities.activity_create, name="activity-create"),
    path("activities/bulk/", activities.activity_bulk, name="activity-bulk"),
    path("activities/<int:pk>/", activities.activity_detail, name="activity-detail"),
    path("activities/<int:pk>/edit/", activities.activity_edit, name="activity-edit"),
    # Resources mobilised and partners
    path("resources/", resources.resource_list, name="resource-list"),
    path("resources/new/", resources.resource_create, name="resource-create"),
    path("resources/<int:pk>/", resources.resource_detail, name="resource-detail"),
    path("resources/<int:pk>/edit/", resources.resource_edit, name="resource-edit"),
    path("partners/", resources.partner_list, name="partner-list"),
    path("partners/new/", resources.partner_create, name="partner-create"),
    path("partners/<int:pk>/", resources.partner_detail, name="partner-detail"),
    path("partners/<int:pk>/edit/", resources.partner_edit, name="partner-edit"),
    # Volunteer teams and community social organisations
    path("groups/", groups.group_list, name="group-list"),
    path("teams/new/", groups.group_create, {"kind": "team"}, name="team-create"),
    path("teams/<int:pk>/", groups.group_detail, {"kind": "team"}, name="team-detail"),
    path("teams/<int:pk>/edit/", groups.group_edit, {"kind": "team"}, name="team-edit"),
    path("organisations/new/", groups.group_create, {"kind": "organisation"}, name="organisation-create"),
    path(
        "organisations/<int:pk>/", groups.group_detail, {"kind": "organisation"}, name="organisation-detail"
    ),
    path(
        "organisations/<int:pk>/edit/", groups.group_edit, {"kind": "organisation"}, name="organisation-edit"
    ),
    # Community funds
    path("funds/", funds.fund_list, name="fund-list"),
    path("funds/new/", funds.fund_create, name="fund-create"),
    path("funds/<int:pk>/", funds.fund_detail, name="fund-detail"),
    path("funds/<int:pk>/edit/", funds.fund_edit, name="fund-edit"),
    path("funds/<int:pk>/entries/new/", funds.fund_entry_create, name="fund-entry-create"),
    path("funds/<int:pk>/entries/<int:entry_pk>/", funds.fund_entry_detail, name="fund-entry-detail"),
    # Annual implementation plans
    path("plans/", plans.plan_list, name="plan-list"),
    path("plans/pending/", plans.plan_list, {"pending": True}, name="plan-pending"),
    path("plans/new/", plans.plan_create, name="plan-create"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan-detail"),
    path("plans/<int:pk>/edit/", plans.plan_edit, name="plan-edit"),
    path("plans/<int:pk>/submit/", plans.plan_submit, name="plan-submit"),
    path("plans/<int:pk>/approve/", plans.plan_review, {"decision": "approve"}, name="plan-approve"),
    path("plans/<int:pk>/return/", plans.plan_review, {"decision": "return"}, name="plan-return"),
]
