"""The one way templates ask ``accounts.access``: ``{% can "edit_response" response as may_edit %}``.

The name is a rule of ``accounts.access`` without its ``can_`` prefix; the signed-in person comes from the
request. Unknown names raise, so that a typo cannot silently hide (or show) a button.
"""

from __future__ import annotations

from typing import Any

from django import template

from accounts import access as access_rules

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context: template.Context, rule: str, *args: Any, **kwargs: Any) -> bool:
    function = getattr(access_rules, f"can_{rule}", None)
    if function is None or not callable(function):
        raise template.TemplateSyntaxError(f"accounts.access has no rule can_{rule}")
    request = context.get("request")
    user = getattr(request, "user", None) if request is not None else context.get("user")
    return bool(function(user, *args, **kwargs))
