"""The partner's answer link: /p/<token>/ (short, it goes in an SMS)."""

from django.urls import path

from partners.views import link

app_name = "partner_link"

urlpatterns = [
    path("thanks/", link.thanks, name="thanks"),
    path("<str:token>/", link.answer, name="answer"),
]
