from django.apps import AppConfig


class StationsConfig(AppConfig):
    name = "stations"
    verbose_name = "站点与人员"
