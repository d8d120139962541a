from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo city (`manage.py seed_demo`): seeders for every app, kept out of the product apps."""

    name = "demo"
    verbose_name = "演示数据"
