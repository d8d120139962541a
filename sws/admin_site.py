"""The admin site: stations and staff first on the index, the rest in the order people look for them.

Django lists apps and models alphabetically by their (partly English) names, which put the login records
of django-axes and the TOTP devices above stations and staff. `SWSAdminConfig` replaces
`django.contrib.admin` in INSTALLED_APPS and makes `SWSAdminSite` the default site (`admin.site`).
"""

from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.sites import AdminSite

# App labels in index order; apps not named here follow, alphabetically.
APP_ORDER = ["stations", "residents", "projects", "security", "auth", "axes", "otp_totp"]
# Within an app, these models come first in this order; the others follow alphabetically.
MODEL_ORDER = {
    "stations": [
        "Station",
        "Assignment",
        "User",
        "Certificate",
        "Operator",
        "District",
        "Street",
        "Community",
        "Municipality",
    ],
    "residents": ["Request", "Resident", "Referral", "Category", "VulnerabilityTag", "ResponseTarget"],
    "projects": ["Project", "Activity", "AnnualPlan"],
}


def _position(order: list, key) -> tuple:
    return (order.index(key), "") if key in order else (len(order), key)


class SWSAdminSite(AdminSite):
    def get_app_list(self, request, app_label=None):
        app_list = super().get_app_list(request, app_label)
        app_list.sort(key=lambda app: (_position(APP_ORDER, app["app_label"]), str(app["name"])))
        for app in app_list:
            order = MODEL_ORDER.get(app["app_label"], [])
            app["models"].sort(key=lambda model: (_position(order, model["object_name"]), str(model["name"])))
        return app_list


class SWSAdminConfig(AdminConfig):
    default_site = "sws.admin_site.SWSAdminSite"

    def ready(self):
        super().ready()
        from django.db.models.signals import post_migrate

        from sws.admin_labels import name_permissions_in_chinese

        post_migrate.connect(name_permissions_in_chinese, dispatch_uid="sws.name_permissions_in_chinese")
