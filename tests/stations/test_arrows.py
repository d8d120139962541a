"""The arrows point one way: casework → projects → residents → stations, notifications → stations and
attachments → stations (residents, projects and casework call notifications; the apps above use
attachments). Nothing in the stations app (its audit trail included, which keeps residents' ids as plain
numbers: AccessedResident) imports an app above it, not even inside a function."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ABOVE = {
    "stations": {"attachments", "residents", "projects", "notifications", "casework", "hotline", "sws"},
    # Attachments sit just above stations: projects, residents and casework use them; owners register.
    "attachments": {"residents", "projects", "notifications", "casework", "hotline", "sws"},
    "notifications": {"residents", "projects", "casework", "hotline", "sws"},
    "residents": {"projects", "casework", "hotline", "sws"},
    "projects": {"casework", "hotline", "sws"},
    "casework": {"hotline", "sws"},
    # hotline (issue #19) imports residents, stations and notifications; only sws composes it.
    "hotline": {"projects", "casework", "sws"},
}


def _imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
    return names


@pytest.mark.parametrize("app", sorted(ABOVE))
def test_no_module_imports_an_app_above_it(app):
    offending = {
        str(path.relative_to(ROOT)): sorted(_imported(path) & ABOVE[app])
        for path in (ROOT / app).rglob("*.py")
        if _imported(path) & ABOVE[app]
    }
    assert offending == {}
