from django import template

from sgu.cases.templatetags.cases_ui import claim_counts
from sgu.site.menu import menu_for

register = template.Library()


@register.simple_tag(takes_context=True)
def main_menu(context) -> dict:
    """The header menu for whoever is signed in (sgu/site/menu.py)."""
    request = context.get("request")
    if request is None:
        return {"signed_in": False, "pending": False, "groups": []}
    claims = claim_counts(context) if request.user.is_authenticated else {}
    return menu_for(request, context.get("nav") or "", claims)
