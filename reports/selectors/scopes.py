"""Report scopes: which items a report covers, and its bilingual title."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from consultation.models import Article, Consultation, Item, Theme

from ..models import ScopeKind


class ScopeInvalid(ValueError):
    """The scope names no article, theme or item of this consultation."""


@dataclass(frozen=True)
class Scope:
    kind: str
    key: str
    title_en: str
    title_fr: str

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.key}" if self.key else self.kind

    @property
    def kind_label(self) -> str:
        return str(ScopeKind(self.kind).label)

    @property
    def title(self) -> str:
        from ..labels import both

        return both(self.title_en, self.title_fr)

    @property
    def title_local(self) -> str:
        """The title in the reader's language (forms and lists on a page; documents keep both or their edition's)."""
        return self.title_fr if (get_language() or "en").startswith("fr") and self.title_fr else self.title_en


def _article_title(article: Article) -> tuple[str, str]:
    return (f"Article {article.number} – {article.title_en}", f"Article {article.number} – {article.title_fr}")


def scope_parse(*, consultation: Consultation, text: str) -> Scope:
    """Turn ``article:20``, ``theme:robotics``, ``item:GENAI-02``, ``article_theme:23:generative-ai`` or
    ``overview`` into a checked scope; raise ``ScopeInvalid`` with a precise message otherwise."""
    kind, _sep, key = (text or "").strip().partition(":")
    kind = kind.strip()
    key = key.strip()
    if kind == ScopeKind.OVERVIEW:
        return Scope(kind, "", f"Overview – {consultation.title_en}", f"Vue d'ensemble – {consultation.title_fr}")
    if kind == ScopeKind.ARTICLE:
        article = _article(key)
        if not Item.objects.filter(consultation=consultation, articles=article).exists():
            raise ScopeInvalid(_("No item of this consultation is tagged with Article %(number)s.") % {"number": key})
        en, fr = _article_title(article)
        return Scope(kind, str(article.number), en, fr)
    if kind == ScopeKind.THEME:
        theme = _theme(consultation, key)
        return Scope(kind, theme.code, theme.name_en, theme.name_fr or theme.name_en)
    if kind == ScopeKind.ITEM:
        item = Item.objects.filter(consultation=consultation, code=key).first()
        if item is None:
            raise ScopeInvalid(_("This consultation has no item “%(code)s”.") % {"code": key})
        return Scope(
            kind,
            item.code,
            f"Compilation of replies to {item.code}",
            f"Compilation des réponses à {item.code}",
        )
    if kind == ScopeKind.ARTICLE_THEME:
        number, _sep, code = key.partition(":")
        article = _article(number)
        theme = _theme(consultation, code)
        if not Item.objects.filter(consultation=consultation, articles=article, theme=theme).exists():
            raise ScopeInvalid(
                _("No item of theme “%(theme)s” is tagged with Article %(number)s.")
                % {"theme": theme.code, "number": article.number}
            )
        en, fr = _article_title(article)
        return Scope(
            kind,
            f"{article.number}:{theme.code}",
            f"{en} × {theme.name_en}",
            f"{fr} × {theme.name_fr or theme.name_en}",
        )
    raise ScopeInvalid(
        _("Unknown scope “%(text)s”: use overview, article:N, theme:CODE, item:CODE or article_theme:N:CODE.")
        % {"text": text}
    )


def _article(key: str) -> Article:
    if not key.isdigit():
        raise ScopeInvalid(_("“%(key)s” is not an article number.") % {"key": key})
    article = Article.objects.filter(number=int(key)).first()
    if article is None:
        raise ScopeInvalid(_("The Convention has no Article %(number)s.") % {"number": key})
    return article


def _theme(consultation: Consultation, code: str) -> Theme:
    theme = Theme.objects.filter(code=code, items__consultation=consultation).distinct().first()
    if theme is None:
        raise ScopeInvalid(_("This consultation has no theme “%(code)s”.") % {"code": code})
    return theme


def scope_items(*, consultation: Consultation, kind: str, key: str) -> QuerySet[Item]:
    """The items a scope covers, as a queryset usable as a subquery."""
    items = Item.objects.filter(consultation=consultation)
    if kind == ScopeKind.ARTICLE:
        return items.filter(articles__number=int(key))
    if kind == ScopeKind.THEME:
        return items.filter(theme__code=key)
    if kind == ScopeKind.ITEM:
        return items.filter(code=key)
    if kind == ScopeKind.ARTICLE_THEME:
        number, _sep, code = key.partition(":")
        return items.filter(articles__number=int(number), theme__code=code)
    return items
