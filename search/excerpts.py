"""Excerpts of redacted text with the query's matches marked.

Matches are found with the analyzer of the index's own text field, so an
excerpt marks exactly what the search matched on. The result is HTML-safe:
whoosh escapes the text and adds only <mark> tags.
"""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from whoosh.highlight import ContextFragmenter, HtmlFormatter, highlight

from search.engine import search_engine

_PLAIN_LENGTH = 280


def text_analyzer():
    """The analysis the configured engine matched the query's words with
    (search.engine.ArchiveSearchBackend.text_analyzer)."""
    return search_engine().text_analyzer()


def excerpt(texts: list[str], query: str) -> SafeString:
    """The best fragment of the first text that matches `query`, else the
    opening of the first text."""
    texts = [t for t in texts if t]
    if not texts:
        return mark_safe("")
    if query:
        analyzer = text_analyzer()
        terms = {token.text for token in analyzer(query)}
        formatter = HtmlFormatter(tagname="mark", between=" … ")
        fragmenter = ContextFragmenter(maxchars=_PLAIN_LENGTH, surround=80)
        for text in texts:
            marked = highlight(text, terms, analyzer, fragmenter, formatter, top=2)
            if marked:
                return mark_safe(marked)  # noqa: S308 - escaped by whoosh
    opening = texts[0][:_PLAIN_LENGTH]
    ellipsis = "…" if len(texts[0]) > _PLAIN_LENGTH else ""
    return mark_safe(escape(opening) + ellipsis)  # noqa: S308 - escaped above
