from django.apps import AppConfig


class ResidentsConfig(AppConfig):
    name = "residents"
    verbose_name = "居民与诉求"

    def ready(self):
        from residents import checks  # noqa: F401  (registers the personal-data key check)
