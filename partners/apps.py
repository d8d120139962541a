from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "五社联动"

    def ready(self):
        from attachments import registry
        from partners.models import ShareConsent
        from partners.panels import referral_panel
        from residents.panels import register_request_panel

        # The scanned, signed consent form (知情同意书) is kept as an attachment of the consent; it is read
        # and added by whoever may read or change the referral's request.
        registry.register(
            ShareConsent,
            station=lambda consent: consent.partner_referral.station_id,
            residents=lambda consent: [consent.resident_id] if consent.resident_id else [],
            kinds=["consent"],
        )
        register_request_panel(referral_panel)
