"""Casework routes: a case's transfer to another station, and its client's referral to a partner."""

from django.urls import path

from casework.views import referrals, transfers

urlpatterns = [
    path("transfers/", transfers.case_transfer_inbox, name="case-transfer-inbox"),
    path("transfers/<int:pk>/", transfers.case_transfer_decide, name="case-transfer-decide"),
    path("transfers/<int:pk>/cancel/", transfers.case_transfer_cancel, name="case-transfer-cancel"),
    path("<int:pk>/transfer/", transfers.case_transfer_propose, name="case-transfer-propose"),
    path("<int:pk>/refer/", referrals.refer_partner, name="refer-partner"),
]
