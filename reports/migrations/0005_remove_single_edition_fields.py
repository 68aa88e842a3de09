from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("reports", "0004_editions_data")]
    operations = [
        migrations.RemoveField(
            model_name='reportversion',
            name='docx',
        ),
        migrations.RemoveField(
            model_name='reportversion',
            name='html',
        ),
        migrations.RemoveField(
            model_name='reportversion',
            name='pdf',
        ),
        migrations.RemoveField(
            model_name='reportversion',
            name='xlsx',
        ),
    ]
