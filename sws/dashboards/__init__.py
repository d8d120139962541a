"""Dashboards of the station, the district centre and the municipal centre (aggregates over all apps)."""
