from django.db import migrations


def load(apps, schema_editor):
    from consultation.reference import reference_data_load

    reference_data_load(apps=apps)


class Migration(migrations.Migration):
    dependencies = [("consultation", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
