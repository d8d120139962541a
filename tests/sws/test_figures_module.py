"""The dashboards' and reports' figures live in one module (issue 16.8), and a renamed route fails loudly."""

import ast
import datetime
import inspect

import pytest
from django.urls import NoReverseMatch

import sws.dashboards.views as dashboard_views
import sws.reports.builders as builders
from sws.dashboards import figures
from sws.dashboards.periods import Period


def _imported_modules(module) -> set[str]:
    tree = ast.parse(inspect.getsource(module))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_reports_take_their_figures_from_the_figures_module_not_from_a_view():
    imported = _imported_modules(builders)
    assert not any(name.startswith("sws.dashboards.views") for name in imported)
    assert "sws.dashboards.figures" in imported or "sws.dashboards.figures" in {
        name.rsplit(".", 1)[0] for name in imported
    }
    assert dashboard_views.station_context is figures.station_context


def test_a_renamed_queue_route_is_an_error_not_a_missing_link(monkeypatch):
    def renamed(name, *args, **kwargs):
        raise NoReverseMatch(f"'{name}' is not a valid view function or pattern name.")

    monkeypatch.setattr(dashboard_views, "reverse", renamed)
    with pytest.raises(NoReverseMatch):
        dashboard_views.queue_url(overdue="on")


def test_a_renamed_report_route_is_an_error_not_a_missing_link(monkeypatch):
    def renamed(name, *args, **kwargs):
        raise NoReverseMatch(name)

    monkeypatch.setattr(dashboard_views, "reverse", renamed)
    with pytest.raises(NoReverseMatch):
        dashboard_views._report_url("reports:station", 1, Period.year(datetime.date(2026, 1, 1)))
