"""Fill the submitted copy for replies submitted before it existed: a submitted reply from its live answers
(they are what was submitted), a reply reopened since from its last submission's snapshot."""

from decimal import Decimal

from django.db import migrations


def _typed(field, value, options):
    """The typed rows of one field's canonical value, as (kind, values) pairs."""
    if field.type == "single_choice":
        return [("choice", {"option_id": options[value], "rank": None})] if value in options else []
    if field.type == "multiple_choice":
        return [("choice", {"option_id": options[key], "rank": None}) for key in value if key in options]
    if field.type == "ranking":
        return [("choice", {"option_id": options[key], "rank": rank}) for rank, key in enumerate(value, 1) if key in options]
    if field.type == "text":
        return [("value", {"text": value, "number": None})]
    if field.type == "number":
        return [("value", {"text": "", "number": Decimal(str(value))})]
    if field.type == "legal_references":
        return [
            ("reference", {"position": position, "instrument": row.get("instrument", ""), "provision": row.get("provision", ""), "url": row.get("url", "")})
            for position, row in enumerate(value, 1)
        ]
    return []


def backfill(apps, schema_editor):
    Response = apps.get_model("consultation", "Response")
    ResponseSubmission = apps.get_model("consultation", "ResponseSubmission")
    Answer = apps.get_model("consultation", "Answer")
    Item = apps.get_model("consultation", "Item")
    Field = apps.get_model("consultation", "Field")
    Option = apps.get_model("consultation", "Option")
    AnswerChoice = apps.get_model("consultation", "AnswerChoice")
    AnswerValue = apps.get_model("consultation", "AnswerValue")
    LegalReference = apps.get_model("consultation", "LegalReference")
    SubmittedAnswer = apps.get_model("consultation", "SubmittedAnswer")
    SubmittedChoice = apps.get_model("consultation", "SubmittedChoice")
    SubmittedValue = apps.get_model("consultation", "SubmittedValue")
    SubmittedReference = apps.get_model("consultation", "SubmittedReference")
    models = {"choice": SubmittedChoice, "value": SubmittedValue, "reference": SubmittedReference}

    for response in Response.objects.filter(submissions__isnull=False).distinct():
        submission = ResponseSubmission.objects.filter(response=response).order_by("-sequence").first()
        common = {"consultation_id": response.consultation_id, "party_id": response.party_id}
        rows = {"choice": [], "value": [], "reference": []}
        if response.status == "submitted":
            for answer in Answer.objects.filter(response=response):
                copy = SubmittedAnswer.objects.create(
                    response=response, submission=submission, item_id=answer.item_id, version=answer.version,
                    language=answer.language, is_answered=answer.is_answered, submitted_at=submission.submitted_at,
                    **common,
                )
                row = {"answer_id": copy.pk, "item_id": answer.item_id, **common}
                for c in AnswerChoice.objects.filter(answer=answer):
                    rows["choice"].append({**row, "field_id": c.field_id, "option_id": c.option_id, "rank": c.rank})
                for v in AnswerValue.objects.filter(answer=answer):
                    rows["value"].append({**row, "field_id": v.field_id, "text": v.text, "number": v.number})
                for r in LegalReference.objects.filter(answer=answer):
                    rows["reference"].append(
                        {**row, "field_id": r.field_id, "position": r.position, "instrument": r.instrument,
                         "provision": r.provision, "url": r.url}
                    )
        else:
            items = {i.code: i for i in Item.objects.filter(consultation_id=response.consultation_id)}
            for code, entry in (submission.snapshot or {}).items():
                item = items.get(code)
                if item is None:
                    continue
                data = entry.get("data") or {}
                copy = SubmittedAnswer.objects.create(
                    response=response, submission=submission, item_id=item.pk, version=entry.get("version") or 0,
                    language=entry.get("language") or "en", is_answered=bool(data),
                    submitted_at=submission.submitted_at, **common,
                )
                for field in Field.objects.filter(item=item):
                    if field.key not in data:
                        continue
                    options = {o.key: o.pk for o in Option.objects.filter(field=field)}
                    for kind, values in _typed(field, data[field.key], options):
                        rows[kind].append({"answer_id": copy.pk, "item_id": item.pk, "field_id": field.pk, **common, **values})
        for kind, model in models.items():
            model.objects.bulk_create([model(**values) for values in rows[kind]])


class Migration(migrations.Migration):
    dependencies = [("consultation", "0003_submitted_answers")]
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
