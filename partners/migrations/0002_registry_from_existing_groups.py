"""One registry row per existing community organisation, volunteer team and 链接单位 (the same as
`partners.services.sync_partners`, with the historical models: a migration must not change when the
code does)."""

import re

from django.db import migrations

PHONE = re.compile(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}")


def split_contact(text):
    text = (text or "").strip()
    found = PHONE.search(text)
    if not found:
        return text[:50], ""
    return (text[: found.start()] + text[found.end() :]).strip(" ，,：:")[:50], found.group()


def forwards(apps, schema_editor):
    Partner = apps.get_model("partners", "Partner")
    rows = []
    for organisation in apps.get_model("projects", "CommunityOrganisation").objects.filter(partner__isnull=True):
        rows.append(
            Partner(kind="social_org", name=organisation.name, station_id=organisation.station_id, organisation=organisation)
        )
    for team in apps.get_model("projects", "VolunteerTeam").objects.filter(partner__isnull=True):
        rows.append(Partner(kind="volunteer_team", name=team.name, station_id=team.station_id, team=team))
    for unit in apps.get_model("projects", "Partner").objects.filter(registry_entry__isnull=True):
        name, phone = split_contact(unit.contact)
        rows.append(
            Partner(
                kind="government" if unit.kind == "government" else "charity",
                name=unit.name,
                contact_name=name,
                contact_phone=phone,
                station_id=unit.station_id,
                linked_unit=unit,
            )
        )
    Partner.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("partners", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
