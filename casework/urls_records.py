"""Casework routes: the printable case file and the XLSX case register."""

urlpatterns = []
