"""Panels other apps add to the request page, e.g. the 12345 work order's deadlines and answers (hotline).

residents imports none of those apps (the arrows point one way): an app registers a function in its
AppConfig.ready(), `panel(http_request, req) -> dict | None`; a dict names the `template` to include and
carries its context. A panel must cost a bounded number of queries (none for a request it is not about).
"""

_panels = []


def register_request_panel(panel) -> None:
    if panel not in _panels:
        _panels.append(panel)


def request_panels(http_request, req) -> list[dict]:
    return [found for found in (panel(http_request, req) for panel in _panels) if found]


# Rows other apps add to the visit form and save in the visit's transaction (projects: the volunteers who
# served and their hours). A provider is `provider(data, station=...)` returning an object with
# `template`, `is_valid()` and `save(acting_user=, visit=, station=)`; a bad row refuses the whole visit.
_visit_rows = []


def register_visit_rows(provider) -> None:
    if provider not in _visit_rows:
        _visit_rows.append(provider)


def visit_rows(data, *, station) -> list:
    return [provider(data, station=station) for provider in _visit_rows]
