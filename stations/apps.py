from django.apps import AppConfig
from django.db.models.signals import post_migrate


def install_append_only_guards(using, **kwargs):
    """After every migrate: the database refuses changes to append-only tables (PostgreSQL only)."""
    from stations.audit import install_database_guards

    install_database_guards(using)


class StationsConfig(AppConfig):
    name = "stations"
    verbose_name = "站点与人员"

    def ready(self):
        from stations import reference
        from stations.models import CalendarDay, Community, Station, Street, User

        # The queue's option lists: stations, their streets' communities, their workers; and the
        # working-day calendar (stations.workdays).
        reference.track(Station, Street, Community, User, CalendarDay)
        # Once per migrate (sent for this app after every app's migrations ran): the guard covers the
        # append-only models of all apps.
        post_migrate.connect(install_append_only_guards, sender=self, dispatch_uid="stations.append_only")

        # A worker's station follows her assignments (stations/services.py).
        from stations import services

        services.connect_signals()
