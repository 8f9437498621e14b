"""Bidirectional isolation for text that cannot carry markup.

Templates put names, pseudonyms, places and usernames inside <bdi>. Messages
(django.contrib.messages) are plain text, so the same isolation is made with
Unicode's FIRST STRONG ISOLATE ... POP DIRECTIONAL ISOLATE: a Latin username
at the start of an Arabic sentence keeps its place, and an Arabic place in an
English one does not pull the punctuation after it to the wrong side.
"""

FIRST_STRONG_ISOLATE = "\u2068"
POP_DIRECTIONAL_ISOLATE = "\u2069"


def isolated(text) -> str:
    """`text` isolated from the sentence around it, its own direction taken
    from its first strong character (as <bdi> and dir="auto" do)."""
    return f"{FIRST_STRONG_ISOLATE}{text}{POP_DIRECTIONAL_ISOLATE}"
