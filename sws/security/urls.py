from django.urls import path

from sws.security import views

app_name = "security"

urlpatterns = [
    path("account/password/", views.OwnPasswordChangeView.as_view(), name="password-change"),
    path(
        "account/activate/<uidb64>/<token>/",
        views.PasswordLinkView.as_view(),
        name="password-link",
    ),
    path("account/two-factor/", views.two_factor_enrol, name="two-factor-enrol"),
    path("account/two-factor/verify/", views.two_factor_verify, name="two-factor-verify"),
    path("audit/", views.audit_changes, name="audit-changes"),
    path("audit/access/", views.audit_access, name="audit-access"),
    path("audit/logins/", views.audit_logins, name="audit-logins"),
    path("audit/residents/", views.audit_resident_lookup, name="audit-resident-lookup"),
    path("audit/residents/<int:resident_id>/", views.audit_resident, name="audit-resident"),
]
