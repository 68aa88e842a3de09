import pytest
from django.core.management import call_command

from consultation.models import Article, Chapter, Party

pytestmark = pytest.mark.django_db


def test_fifty_articles_in_thirteen_chapters_with_english_and_french_titles():
    assert Chapter.objects.count() == 13
    assert Article.objects.count() == 50
    assert list(Chapter.objects.values_list("roman", flat=True)) == [
        "I",
        "II",
        "III",
        "IV",
        "V",
        "VI",
        "VII",
        "VIII",
        "IX",
        "X",
        "XI",
        "XII",
        "XIII",
    ]
    assert not Article.objects.filter(title_en="").exists()
    assert not Article.objects.filter(title_fr="").exists()
    assert not Chapter.objects.filter(title_fr="").exists()
    assert Article.objects.get(number=20).title_en == "Offences concerning child pornography"
    assert Article.objects.get(number=23).chapter.number == 6
    assert sorted(Article.objects.filter(chapter__number=6).values_list("number", flat=True)) == [
        18,
        19,
        20,
        21,
        22,
        23,
        24,
        25,
        26,
        27,
        28,
        29,
    ]


def test_forty_eight_parties_with_unique_iso_codes_and_french_names():
    assert Party.objects.count() == 48
    codes = list(Party.objects.values_list("iso2", flat=True))
    assert len(set(codes)) == 48
    assert all(len(code) == 2 and code.isupper() for code in codes)
    assert Party.objects.get(iso2="DE").name_fr == "Allemagne"
    assert Party.objects.get(iso2="TN").is_member_state is False
    assert Party.objects.get(iso2="RU").is_active is False
    assert Party.objects.filter(is_active=True).count() == 47
    assert not Party.objects.filter(name_fr="").exists()


def test_reloading_reference_data_changes_nothing(capsys):
    call_command("load_reference_data")
    assert "0 chapters, 0 articles, 0 Parties" in capsys.readouterr().out
