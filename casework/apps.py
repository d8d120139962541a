from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = "个案管理"

    def ready(self):
        # cwfile: a case's attachments (consent scans, photos, documents) through the attachments component.
        from casework import attachment_rules

        attachment_rules.register()
