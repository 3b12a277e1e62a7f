from django import template

from ..refi.export import exchange_warnings as warnings_of

register = template.Library()


@register.simple_tag
def exchange_warnings(project) -> list[str]:
    """``{% exchange_warnings project as warnings %}``: what another program would lose."""
    return warnings_of(project=project)
