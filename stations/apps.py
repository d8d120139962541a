from django.apps import AppConfig


class StationsConfig(AppConfig):
    name = "stations"
    verbose_name = "站点与人员"

    def ready(self):
        from stations import reference
        from stations.models import Community, Station, Street, User

        # The queue's option lists: stations, their streets' communities, their workers.
        reference.track(Station, Street, Community, User)

        # A worker's station follows her assignments (stations/services.py).
        from stations import services

        services.connect_signals()
