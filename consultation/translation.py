"""English and French columns for the texts delegations read (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register
from simple_history import register as history_register

from .models import Article, Chapter, Consultation, Field, Item, Option, Party, Theme


@register(Chapter)
class ChapterTranslation(TranslationOptions):
    fields = ("title",)


@register(Article)
class ArticleTranslation(TranslationOptions):
    fields = ("title", "text")


@register(Party)
class PartyTranslation(TranslationOptions):
    fields = ("name",)


@register(Consultation)
class ConsultationTranslation(TranslationOptions):
    fields = ("title", "description")


@register(Theme)
class ThemeTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Item)
class ItemTranslation(TranslationOptions):
    fields = ("text", "guidance", "context")


@register(Field)
class FieldTranslation(TranslationOptions):
    fields = ("label", "help")


@register(Option)
class OptionTranslation(TranslationOptions):
    fields = ("label",)


# History is registered after translation so the historical tables carry the _en/_fr columns too.
history_register(Consultation, excluded_fields=["data_version"])
history_register(Item)
