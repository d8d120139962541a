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
