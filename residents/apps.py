from django.apps import AppConfig


class ResidentsConfig(AppConfig):
    name = "residents"
    verbose_name = "居民与诉求"

    def ready(self):
        from residents import checks  # noqa: F401  (registers the personal-data key check)
        from residents.models import Category
        from stations import reference

        reference.track(Category)  # the queue's category filter lists them

        from residents.auditing import street_scope_counts
        from stations.audit import count_street_scope

        count_street_scope(street_scope_counts)  # recorded when a street changes station
