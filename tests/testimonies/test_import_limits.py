"""import_testimonies refuses what it cannot safely hold: lines nested too
deeply, lines, narratives and translations over their documented sizes,
lines that are not UTF-8. Each refusal is `line N: ...`, nothing is written,
and no value of the witness's identity is repeated."""

import json

import pytest
from django.core.management import CommandError, call_command

from testimonies.core.models import (
    NARRATIVE_MAX_CHARS,
    SUMMARY_MAX_CHARS,
    TRANSLATION_MAX_CHARS,
)
from testimonies.imports.reader import LINE_MAX_BYTES, NESTING_MAX
from testimonies.models import Testimony, Witness
from tests.testimonies.test_import import line

pytestmark = [pytest.mark.usefixtures("gazetteer"), pytest.mark.django_db]


def write_bytes(tmp_path, *lines: bytes):
    path = tmp_path / "import.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    return str(path)


def refused(tmp_path, capsys, *lines: bytes) -> str:
    with pytest.raises(CommandError):
        call_command("import_testimonies", write_bytes(tmp_path, *lines))
    assert Testimony.objects.count() == Witness.objects.count() == 0
    return capsys.readouterr().err


def good() -> bytes:
    return line(external_id="fine").encode()


def nested(depth: int) -> bytes:
    """A line whose summary is `depth` lists deep, inside the line's object."""
    data = json.loads(line())
    data["summary"] = json.loads("[" * (depth - 1) + "]" * (depth - 1))
    return json.dumps(data).encode()


@pytest.mark.parametrize("depth", [NESTING_MAX + 1, 50, 100_000])
def test_a_line_nested_too_deeply_is_refused_with_its_number(tmp_path, capsys, depth):
    if depth == 100_000:  # deeper than Python's JSON parser can recurse
        bad = b"[" * depth + b"]" * depth
    else:
        bad = nested(depth)
    err = refused(tmp_path, capsys, good(), bad)
    assert err.startswith("line 2: ")
    assert f"nests more than {NESTING_MAX} levels deep" in err
    assert "Traceback" not in err


def test_the_format_s_own_nesting_is_accepted(tmp_path):
    withdrawal = {"on": "2025-04-01", "reason": "afraid", "scopes": ["public"]}
    data = json.loads(line())
    data["consent"]["withdrawal"] = withdrawal
    data["persons_named"] = [["Samir", "سمير"]]
    call_command("import_testimonies", write_bytes(tmp_path, json.dumps(data).encode()))
    assert Testimony.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"narrative": "a" * (NARRATIVE_MAX_CHARS + 1)},
            f"narrative is longer than {NARRATIVE_MAX_CHARS:,} characters",
        ),
        (
            {"translations": {"ar": "ب" * (TRANSLATION_MAX_CHARS + 1)}},
            f"translations.ar is longer than {TRANSLATION_MAX_CHARS:,} characters",
        ),
        (
            {"summary": "a" * (SUMMARY_MAX_CHARS + 1)},
            f"summary is longer than {SUMMARY_MAX_CHARS:,} characters",
        ),
    ],
)
def test_texts_over_their_size_are_refused(tmp_path, capsys, changes, message):
    err = refused(tmp_path, capsys, good(), line(**changes).encode())
    assert err.startswith("line 2: ") and message in err


def test_texts_at_their_size_are_accepted(tmp_path):
    big = line(
        narrative="a" * NARRATIVE_MAX_CHARS,
        translations={"ar": "ب" * TRANSLATION_MAX_CHARS},
    )
    call_command("import_testimonies", write_bytes(tmp_path, big.encode()))
    assert len(Testimony.objects.get().narrative) == NARRATIVE_MAX_CHARS


def test_a_line_over_its_size_is_refused_without_reading_it_whole(tmp_path, capsys):
    # 60 MB of one line, as in the review; and a good line after it.
    huge = line(narrative="a" * (60 * 1024 * 1024)).encode()
    err = refused(tmp_path, capsys, good(), huge, good())
    assert err.startswith(f"line 2: the line is longer than {LINE_MAX_BYTES:,} bytes")
    assert "line 3:" in err  # the duplicate external_id of the third line


def test_a_line_that_is_not_utf8_is_named(tmp_path, capsys):
    err = refused(tmp_path, capsys, good(), b'{"narrative": "\xff\xfe"}')
    assert err.startswith("line 2: the line is not valid UTF-8")


def test_a_line_separator_inside_a_text_stays_in_its_line(tmp_path):
    """U+2028 is allowed raw in JSON text; reading lines with splitlines()
    cut the line there and refused the file."""
    call_command(
        "import_testimonies",
        write_bytes(tmp_path, line(narrative="One\u2028two in Banias.").encode()),
    )
    assert Testimony.objects.get().narrative == "One\u2028two in Banias."


def test_an_unknown_community_of_the_witness_is_not_repeated(tmp_path, capsys):
    """The witness's own community is part of who they are."""
    witness = {"name": "Ayman Fares", "community": "ismaili-of-qadmus"}
    err = refused(tmp_path, capsys, line(witness=witness).encode())
    assert err.startswith("line 1: witness.community is not one of")
    assert "qadmus" not in err and "Ayman" not in err


def test_the_same_limits_hold_whatever_the_door(documenter):
    """The recording steps and the admin save through the model's own
    check: no text over its size reaches the database by another way."""
    from django.core.exceptions import ValidationError

    from tests import factories

    testimony = factories.testimony(recorded_by=documenter)
    testimony.translations = {"en": "a" * (TRANSLATION_MAX_CHARS + 1)}
    with pytest.raises(ValidationError) as refused_:
        testimony.full_clean()
    assert refused_.value.error_dict["translations"][0].code == "too_long"
