from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from notifications.health import jobs_health
from sws import health, views
from sws.security.forms import LoginForm

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=LoginForm),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("stations/", include("stations.urls")),
    path("residents/reports/", include("residents.urls_reporting")),  # 居委会 and volunteer reporters
    path("residents/", include("residents.urls")),
    path("projects/", include("projects.urls")),
    path("cases/", include("casework.urls")),
    path("r/", include("residents.urls_public")),  # public QR intake: short addresses in the codes
    path("partners/", include("partners.urls")),  # 五社联动: partners, referrals with consent, resources used
    path("p/", include("partners.urls_public")),  # a partner's answer link (in an SMS: short)
    path("five-forces/", include("sws.five_forces_urls")),  # the 五社联动 report
    path("dashboards/", include("sws.dashboards.urls")),
    path("reports/", include("sws.reports.urls")),
    path("evaluations/", include("sws.evaluation.urls")),  # 考核评估
    path("exports/", include("sws.exports_urls")),
    path("notifications/", include("notifications.urls")),
    path("attachments/", include("attachments.urls")),
    path("hotline/", include("hotline.urls")),  # the 未能定位 queue, the work order's answers
    path("api/", include("hotline.api.urls")),  # the API (API keys only; docs/api.md)
    path("open311/", include("hotline.open311_urls")),  # Open311 GeoReport v2
    path("", include("sws.security.urls")),  # /audit/… (auditor) and /account/two-factor/…
    path("health/jobs/", jobs_health, name="health-jobs"),  # the job queue's backlog (monitoring, admins)
    # Probes and metrics (sws/health.py): answered by HealthMiddleware before sessions and login.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", health.metrics, name="metrics"),
    path("admin/", admin.site.urls),
]

admin.site.site_header = "SWS 社工站管理"
admin.site.site_title = "SWS 社工站管理"
admin.site.index_title = "数据维护"
