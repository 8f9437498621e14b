"""`{{ text|placeholders_whole }}`: a redacted text with each placeholder
("[شخص 1]", "[witness]") kept on one line.

A line break inside "[شخص 1]" leaves "[شخص" at the end of one line and
"1]" at the start of the next, which in Arabic reads as two unrelated
pieces. Only what is shown changes: the stored text keeps its plain
brackets, and the placeholder's characters stay as they are (no no-break
space is put into the text, which copying would carry away).
"""

import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe

register = template.Library()

# A placeholder as the redactor writes it: a short bracketed label on one
# line, with no markup inside (an excerpt's HTML never puts a tag there).
_PLACEHOLDER = re.compile(r"\[[^\[\]<>\n]{1,60}\]")


@register.filter(is_safe=True)
def placeholders_whole(text):
    """`text` escaped (unless already safe HTML, as a search excerpt is),
    each placeholder wrapped in a span that does not break."""
    if not text:
        return text
    html = text if isinstance(text, SafeData) else conditional_escape(text)
    wrapped = _PLACEHOLDER.sub(
        lambda found: f'<span class="placeholder">{found.group(0)}</span>', str(html)
    )
    # Escaped above, or safe already; the placeholder holds no "<" or ">".
    return mark_safe(wrapped)  # noqa: S308
