"""Drop the plain ID number column: from here on only the ciphertext and the keyed digests are stored."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("residents", "0006_encrypt_id_numbers")]

    operations = [migrations.RemoveField(model_name="resident", name="id_number")]
