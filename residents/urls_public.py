"""Public pages behind the community QR codes (no login), and the posters stations print.

Mounted at /r/ so the address in the QR code stays short: /r/<12-digit community code>/.
"""

from django.urls import path, re_path

from residents import views_public

app_name = "public"

COMMUNITY = r"(?P<code>12\d{10})"

urlpatterns = [
    path("status/", views_public.status, name="status"),
    path("posters/", views_public.poster_list, name="poster-list"),
    re_path(rf"^posters/{COMMUNITY}/$", views_public.poster, name="poster"),
    re_path(rf"^posters/{COMMUNITY}/qr\.svg$", views_public.poster_qr, name="poster-qr"),
    re_path(rf"^{COMMUNITY}/$", views_public.intake, name="intake"),
    re_path(rf"^{COMMUNITY}/done/$", views_public.intake_done, name="intake-done"),
]
