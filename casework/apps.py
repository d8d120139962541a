from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = "个案管理"

    def ready(self):
        # The annual plans' progress counts service records as sessions (projects may not import casework).
        from casework.statistics import sessions_by_station
        from projects.progress import count_sessions

        count_sessions(sessions_by_station)
        # cwfile: a case's attachments (consent scans, photos, documents) through the attachments component.
        from casework import attachment_rules

        attachment_rules.register()
        # A leaving worker's cases and case tasks go with the rest of her work (residents.handover).
        from casework import handover

        handover.register()
        # A resident's own transfer is refused while they have an open case here: the case moves by its own.
        from casework.services.transfers import describe_open_cases
        from residents.services.resident_transfers import register_open_work

        register_open_work(describe_open_cases)
        # A case's client may be referred to a partner: the case's rules for partners' referrals.
        from casework import partner_referrals

        partner_referrals.register()
