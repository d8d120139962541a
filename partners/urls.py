from django.urls import path

from partners.views import referrals, registry, resources

app_name = "partners"

urlpatterns = [
    path("", registry.partner_list, name="partner-list"),
    path("sync/", registry.partner_sync, name="partner-sync"),
    path("requests/<int:pk>/refer/", referrals.refer, name="refer"),
    path("referrals/<int:pk>/", referrals.referral_detail, name="referral-detail"),
    path("referrals/<int:pk>/slip/", referrals.slip, name="referral-slip"),
    path("referrals/<int:pk>/consent/", referrals.consent_create, name="consent-create"),
    path(
        "referrals/<int:pk>/consent/<int:consent_pk>/withdraw/",
        referrals.consent_withdraw,
        name="consent-withdraw",
    ),
    path("requests/<int:pk>/uses/", resources.use_add, {"owner_kind": "request"}, name="request-use-add"),
    path("activities/<int:pk>/uses/", resources.use_add, {"owner_kind": "activity"}, name="activity-use-add"),
    path("uses/<int:pk>/remove/", resources.use_remove, name="use-remove"),
]
