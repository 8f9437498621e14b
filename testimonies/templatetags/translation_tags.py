"""`{{ code|translation_heading }}`: the heading over a testimony's
translation, its language named in words (testimonies.core.bilingual)."""

from django import template

from testimonies.core.bilingual import translation_heading as heading

register = template.Library()


@register.filter
def translation_heading(code: str) -> str:
    return heading(code)
