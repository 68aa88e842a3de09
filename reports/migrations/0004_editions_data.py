"""Existing versions' outputs become their English edition (they were bilingual; English is the nearest).

The HTML body and the PDF, DOCX and XLSX files keep their stored names; the French edition appears with the
next build. Plain updates row by row through the historical models: works the same on SQLite and PostgreSQL.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    ReportVersion = apps.get_model("reports", "ReportVersion")
    ReportDocument = apps.get_model("reports", "ReportDocument")
    Report = apps.get_model("reports", "Report")
    ReportSeries = apps.get_model("reports", "ReportSeries")
    rows = []
    for version in ReportVersion.objects.order_by("pk").iterator(chunk_size=200):
        rows.append(ReportDocument(version_id=version.pk, language="en", format="html", html=version.html or ""))
        for fmt in ("pdf", "docx", "xlsx"):
            name = getattr(version, fmt).name
            if name:
                rows.append(ReportDocument(version_id=version.pk, language="en", format=fmt, file=name))
        if len(rows) >= 500:
            ReportDocument.objects.bulk_create(rows)
            rows = []
    ReportDocument.objects.bulk_create(rows)
    # Every report already built gets a symbol of its consultation's series, in the order it was created.
    for report in Report.objects.filter(symbol="").select_related("consultation").order_by("consultation_id", "pk"):
        series = ReportSeries.objects.filter(consultation_id=report.consultation_id).first()
        if series is None:
            opens = report.consultation.opens_on
            series = ReportSeries.objects.create(
                consultation_id=report.consultation_id, prefix=f"T-ES({opens.year if opens else report.created_at.year})"
            )
        report.symbol = f"{series.prefix}{series.next_number:02d}"
        series.next_number += 1
        series.save(update_fields=["next_number"])
        report.save(update_fields=["symbol"])
        ReportVersion.objects.filter(report_id=report.pk, symbol="").update(symbol=report.symbol)


def backwards(apps, schema_editor):
    ReportVersion = apps.get_model("reports", "ReportVersion")
    ReportDocument = apps.get_model("reports", "ReportDocument")
    for document in ReportDocument.objects.filter(language="en").order_by("pk").iterator(chunk_size=200):
        version = ReportVersion.objects.get(pk=document.version_id)
        if document.format == "html":
            version.html = document.html
            version.save(update_fields=["html"])
        else:
            getattr(version, document.format).name = document.file.name
            version.save(update_fields=[document.format])


class Migration(migrations.Migration):
    dependencies = [("reports", "0003_editions")]
    operations = [migrations.RunPython(forwards, backwards)]
