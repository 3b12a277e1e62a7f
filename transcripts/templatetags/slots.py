from django import template
from django.utils.safestring import SafeString, mark_safe

from ..slots import slot_templates

register = template.Library()


@register.simple_tag(takes_context=True)
def slot(context: template.Context, name: str) -> SafeString:
    """Render the templates added at the place ``name`` with this page's context."""
    assert context.template is not None, "{% slot %} renders inside a template"
    engine = context.template.engine
    parts = [engine.get_template(name_).render(context) for name_ in slot_templates(name)]
    return mark_safe("".join(parts))  # each part is a template's autoescaped output
