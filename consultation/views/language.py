"""The language switcher: the choice is remembered on the person's account, not only in a cookie.

``accounts.middleware.UserLanguageMiddleware`` activates the signed-in person's ``preferred_language`` on every
request, so switching with Django's ``set_language`` alone would be undone at the next page. This view records
the choice on the account, then lets ``set_language`` set the cookie and redirect back. Visitors who are not
signed in use ``set_language`` directly (the layout's form points there for them).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


@login_required
@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    user = request.user
    if language in LANGUAGE_CODES and user.is_authenticated and user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
    return set_language(request)
