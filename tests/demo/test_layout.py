"""The demo is its own app: the product apps hold only the product and never import it, and the demo
seeders no longer sit inside them."""

import ast
from pathlib import Path

from django.apps import apps
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ["stations", "residents", "projects", "sws"]


def imported_modules(path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def test_no_product_app_imports_the_demo():
    offenders = [
        f"{path.relative_to(ROOT)}: {module}"
        for app in PRODUCT
        for path in (ROOT / app).rglob("*.py")
        for module in imported_modules(path)
        if module == "demo" or module.startswith("demo.")
    ]
    assert offenders == []


def test_the_demo_is_an_installed_app_with_its_commands():
    assert apps.get_app_config("demo").name == "demo"
    commands = get_commands()
    assert commands["seed_demo"] == "demo" and commands["check_demo_port"] == "demo"


def test_no_demo_module_is_left_in_a_product_app():
    assert [str(p.relative_to(ROOT)) for app in PRODUCT for p in (ROOT / app).rglob("demo*.py")] == []
