from django import template

register = template.Library()


@register.filter
def localized(obj, field: str):
    """``{{ service|localized:"description" }}`` → the Danish or English text of the field."""
    return obj.t(field)


@register.simple_tag(takes_context=True)
def url_in_language(context, language: str) -> str:
    """The current page's address in another language (keeps the query string)."""
    from django.urls import translate_url

    request = context["request"]
    return translate_url(request.get_full_path(), language)
