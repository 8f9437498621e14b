"""The query syntax of the search box and of /api/search/'s `q` (docs/search.md).

    banias killing          both words (AND is the default; AND may be written)
    banias OR jableh        either word
    banias NOT killing      the first without the second; -killing is the same
    "old market"            the words side by side, in this order
    kill*                   words that begin so (at least 3 letters)
    (banias OR jableh) -"old market"
                            parentheses group

Only the Latin capitals AND, OR and NOT are operators: "or", "not" and the
Arabic و, أو and ليس are words of the text like any other (most of them stop
words), since a testimony quoted in Arabic is full of them and a researcher
pasting a sentence must not have it read as logic.

A query is parsed here into a small tree of our own, the same whatever the
engine; search.selectors turns the tree into haystack's SQ conditions, which
each engine's query builder writes in its own syntax. A query that cannot
be parsed (an unclosed quote or parenthesis, an operator with nothing on
one side, a prefix shorter than three letters) is searched as its plain
words, and the outcome carries a note saying so.

Every word reaches the engine folded (testimonies.textnorm.words), prefixes
included: the engine's analysis folds whole words itself, but engines take
a prefix as written.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from testimonies.textnorm import fold, words

OPERATORS = {"AND", "OR", "NOT"}
MIN_PREFIX_LETTERS = 3
# Words that read as OR and NOT in a sentence but are searched as words:
# the answer says so, since "بانياس أو جبلة" finds what is in both places.
_OPERATOR_LOOKALIKES = {
    "or": "OR", "not": "NOT", fold("أو"): "OR", fold("او"): "OR", fold("ليس"): "NOT",
}  # fmt: skip


@dataclass(frozen=True)
class Term:
    """A word as typed (what analysis makes of it: the engine's)."""

    text: str


@dataclass(frozen=True)
class Phrase:
    """Words side by side, in this order."""

    text: str


@dataclass(frozen=True)
class Prefix:
    """Words beginning with `stem` (folded, at least MIN_PREFIX_LETTERS)."""

    stem: str


@dataclass(frozen=True)
class AllOf:
    children: tuple


@dataclass(frozen=True)
class AnyOf:
    children: tuple


@dataclass(frozen=True)
class Without:
    """Documents that do not match `child`."""

    child: object


@dataclass(frozen=True)
class ParsedQuery:
    tree: object  # None: nothing to search for
    # Why the query was searched as plain words, or a word of it that reads
    # as an operator and is not one ("" for neither).
    note: str = ""

    @property
    def is_plain_words(self) -> bool:
        """Only words, all required: no operator, phrase or prefix."""
        tree = self.tree
        if isinstance(tree, Term):
            return True
        return isinstance(tree, AllOf) and all(
            isinstance(child, Term) for child in tree.children
        )

    def wanted_text(self) -> str:
        """The words the results are searched for, not those excluded: what
        an excerpt marks and a spelling correction reads."""
        return " ".join(_wanted(self.tree, negated=False))


def _wanted(node, *, negated) -> list[str]:
    if node is None:
        return []
    if isinstance(node, Without):
        return _wanted(node.child, negated=not negated)
    if isinstance(node, (AllOf, AnyOf)):
        return [w for child in node.children for w in _wanted(child, negated=negated)]
    if negated:
        return []
    return [node.stem if isinstance(node, Prefix) else node.text]


class QuerySyntaxError(ValueError):
    pass


# Tokens: a quoted phrase (closed or not), a parenthesis, or a run of
# anything else up to a space, a quote or a parenthesis.
_TOKEN = re.compile(r'"[^"]*"?|[()]|[^\s"()]+')


def _tokens(query: str) -> list[tuple[str, str]]:
    """(kind, text) pairs: phrase, open, close, op, minus, word, prefix."""
    tokens = []
    for match in _TOKEN.finditer(query):
        text = match.group()
        if text.startswith('"'):
            if len(text) < 2 or not text.endswith('"'):
                raise QuerySyntaxError(_("A quotation mark is not closed."))
            tokens.append(("phrase", text[1:-1]))
        elif text in "()":
            tokens.append(("open" if text == "(" else "close", text))
        elif text in OPERATORS:
            tokens.append(("op", text))
        else:
            if text.startswith("-") and len(text) > 1:
                tokens.append(("minus", "-"))
                text = text[1:]
            # A phrase typed straight after a minus ("-"old market"") is cut
            # by the token pattern at its quote: the minus stands alone.
            if text == "-":
                tokens.append(("minus", "-"))
            elif text.endswith("*"):
                tokens.append(("prefix", text.rstrip("*")))
            else:
                tokens.append(("word", text))
    return tokens


class _Parser:
    """Recursive descent over the tokens:

    any    := all ("OR" all)*
    all    := unary (["AND"] unary)*
    unary  := ("NOT" | "-") unary | atom
    atom   := word | "phrase" | prefix* | "(" any ")"
    """

    def __init__(self, tokens):
        self.tokens, self.at = tokens, 0

    def peek(self):
        return self.tokens[self.at] if self.at < len(self.tokens) else (None, None)

    def take(self):
        token = self.peek()
        self.at += 1
        return token

    def parse(self):
        tree = self.any_of()
        if self.peek()[0] is not None:
            raise QuerySyntaxError(_("A closing parenthesis has no opening one."))
        return tree

    def any_of(self):
        children = [self.all_of()]
        while self.peek() == ("op", "OR"):
            self.take()
            children.append(self.all_of())
        return children[0] if len(children) == 1 else AnyOf(tuple(children))

    def all_of(self):
        children = [self.unary()]
        while True:
            kind, text = self.peek()
            if kind == "op" and text == "AND":
                self.take()
            elif kind in (None, "close") or (kind == "op" and text == "OR"):
                break
            children.append(self.unary())
        return children[0] if len(children) == 1 else AllOf(tuple(children))

    def unary(self):
        kind, text = self.peek()
        if kind == "minus" or (kind == "op" and text == "NOT"):
            self.take()
            return Without(self.unary())
        return self.atom()

    def atom(self):
        kind, text = self.take()
        if kind == "word":
            return Term(text)
        if kind == "phrase":
            if not words(text):
                raise QuerySyntaxError(_("A quoted phrase holds no word."))
            return Phrase(text)
        if kind == "prefix":
            stem = " ".join(w.text for w in words(text))
            if " " in stem or len(stem) < MIN_PREFIX_LETTERS:
                raise QuerySyntaxError(
                    _("A word ending in * needs at least %(n)d letters before it.")
                    % {"n": MIN_PREFIX_LETTERS}
                )
            return Prefix(stem)
        if kind == "open":
            inner = self.any_of()
            if self.take()[0] != "close":
                raise QuerySyntaxError(_("A parenthesis is not closed."))
            return inner
        if kind == "close":
            raise QuerySyntaxError(_("A parenthesis holds nothing."))
        if kind == "op":
            raise QuerySyntaxError(
                _("%(operator)s has nothing to work on.") % {"operator": text}
            )
        raise QuerySyntaxError(
            _("The query ends with an operator that has nothing to work on.")
        )


def plain_words(query: str) -> str:
    """The query's words without any syntax: what is searched when it cannot
    be parsed."""
    return " ".join(w.text for w in words(query) if w.text.upper() not in OPERATORS)


def query_parse(query: str) -> ParsedQuery:
    """The query's tree; for a query that cannot be parsed, the tree of its
    plain words and a note saying why."""
    query = (query or "").strip()
    if not query:
        return ParsedQuery(tree=None)
    try:
        tree = _without_empty(_Parser(_tokens(query)).parse())
    except QuerySyntaxError as error:
        plain = [Term(w) for w in plain_words(query).split()]
        return ParsedQuery(
            tree=_without_empty(AllOf(tuple(plain))),
            note=_("%(problem)s The query was searched as plain words.")
            % {"problem": str(error)},
        )
    if tree is None:
        return ParsedQuery(
            tree=None,
            note=_("The query holds no word to search for: every testimony is shown."),
        )
    return ParsedQuery(tree=tree, note=_lookalike_note(tree))


def _lookalike_note(tree) -> str:
    """A word of the query that reads as OR or NOT and is searched as a
    word, with the operator to write instead; "" for none."""
    for word in _wanted(tree, negated=False):
        operator = _OPERATOR_LOOKALIKES.get(fold(word))
        if operator:
            return _(
                "“%(word)s” is read as a word, not as an operator: to mean "
                "%(operator)s, write it in Latin capitals."
            ) % {"word": word, "operator": operator}
    return ""


def _without_empty(node):
    """The tree less the words that hold no letter or digit (punctuation
    alone), and whatever they leave empty; None when nothing is left."""
    if isinstance(node, Term):
        return node if words(node.text) else None
    if isinstance(node, Without):
        child = _without_empty(node.child)
        return None if child is None else Without(child)
    if isinstance(node, (AllOf, AnyOf)):
        children = tuple(
            kept for kept in map(_without_empty, node.children) if kept is not None
        )
        if len(children) <= 1:
            return children[0] if children else None
        return type(node)(children)
    return node


def folded_words(text: str) -> list[str]:
    """The words of `text` as every engine receives them: folded, cut at
    anything that is not a letter or a digit."""
    return [w.text for w in words(text)]
