"""Excerpts of redacted text with the query's matches marked.

Matches are found with the analyzer of the index's own text field, so an
excerpt marks exactly what the search matched on. The result is HTML-safe:
whoosh escapes the text and adds only <mark> tags.
"""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from whoosh.highlight import ContextFragmenter, HtmlFormatter, highlight

from search.documents import document_text_ranges
from search.engine import search_engine

_PLAIN_LENGTH = 280
# Text kept before the first match of a window.
_SURROUND = 80


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


def excerpt_from_spans(document: str, spans) -> SafeString:
    """The excerpt of a stored document (search.documents), with the
    engine's `spans` (start, end, term) of the query's words in it marked,
    without analysing the text: the window of up to _PLAIN_LENGTH
    characters holding the most matches in the first readable text that
    holds any, else the opening of the first text. Marked as excerpt()
    marks: one `termN` class per word of the query."""
    ranges = document_text_ranges(document)
    if not ranges:
        return mark_safe("")
    for start, end in ranges:
        inside = [span for span in spans if start <= span[0] and span[1] <= end]
        if inside:
            return _window(document, start, end, inside)
    start, end = ranges[0]
    opening = document[start : min(end, start + _PLAIN_LENGTH)]
    ellipsis = "…" if end - start > _PLAIN_LENGTH else ""
    return mark_safe(escape(opening) + ellipsis)  # noqa: S308 - escaped above


def _window(document: str, start: int, end: int, spans) -> SafeString:
    """The best window of document[start:end] around `spans` (sorted)."""
    best, best_count = spans[0], 0
    for anchor in spans:
        count = sum(
            1 for s in spans if anchor[0] <= s[0] and s[1] <= anchor[0] + _PLAIN_LENGTH
        )
        if count > best_count:
            best, best_count = anchor, count
    # Some context before the first match, whole words at both ends.
    left = max(start, best[0] - _SURROUND)
    right = min(end, left + _PLAIN_LENGTH)
    if left > start:
        space = document.find(" ", left, best[0])
        left = space + 1 if space >= 0 else left
    if right < end:
        space = document.rfind(" ", best[1], right)
        right = space if space >= 0 else right
    classes = {}
    parts = ["…" if left > start else ""]
    cursor = left
    for span_start, span_end, term in spans:
        if span_start < cursor or span_end > right:
            continue  # outside the window, or overlapping the last one
        number = classes.setdefault(term, len(classes))
        parts.append(escape(document[cursor:span_start]))
        parts.append(
            f'<mark class="match term{number}">'
            f"{escape(document[span_start:span_end])}</mark>"
        )
        cursor = span_end
    parts.append(escape(document[cursor:right]))
    parts.append("…" if right < end else "")
    return mark_safe("".join(parts))  # noqa: S308 - every part escaped
