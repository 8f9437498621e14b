""" "More testimonies like this" does not depend on what the process did
before: asked first thing in a fresh process, it finds what it finds in a
process that has searched already."""

import json
import os
import subprocess
import sys
import textwrap

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from search.engine import search_engine
from testimonies import policy
from tests import factories
from tests.markers import committed_db

pytestmark = committed_db

# Run in a new interpreter: nothing searched, no backend set up yet. The
# first argument says what the process does first.
FRESH_PROCESS = textwrap.dedent(
    """
    import json, sys
    import django
    django.setup()
    from django.contrib.auth.models import AnonymousUser
    from search.engine import search_engine
    from search.whoosh.index_reading import whoosh_backend
    from testimonies import policy

    first, pk, text = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    answer = {}
    if first == "index-reading":
        answer["backend"] = whoosh_backend() is not None
    answer["similar"] = search_engine().similar_pks(
        pk=pk, text=text, allowed=policy.search_filter(AnonymousUser()), top=5
    )
    answer["backend"] = answer.get("backend", whoosh_backend() is not None)
    print(json.dumps(answer))
    """
)


@pytest.fixture
def alike(coast):
    T = factories.testimony
    with factories.together():
        return [
            T(
                narrative=(
                    "The fishing boats burned in the harbour at dawn; fishermen fled."
                )
            ),
            T(narrative="Fishermen saw their boats burned in the harbour."),
            T(narrative="At dawn the harbour was full of burned fishing boats."),
            T(narrative="A checkpoint in Tartus detained my brother for a week."),
        ]


def in_fresh_process(first, testimony):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.search.other_process",
        "ARCHIVE_TEST_INDEX": settings.HAYSTACK_CONNECTIONS["default"]["PATH"],
    }
    done = subprocess.run(
        [sys.executable, "-c", FRESH_PROCESS, first, str(testimony.pk),
         testimony.narrative],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
@pytest.mark.parametrize("first", ["similar", "index-reading"])
def test_similar_testimonies_are_found_first_thing_in_a_fresh_process(alike, first):
    source, *others = alike
    here = search_engine().similar_pks(
        pk=source.pk,
        text=source.narrative,
        allowed=policy.search_filter(AnonymousUser()),
        top=5,
    )
    there = in_fresh_process(first, source)
    assert there["backend"] is True
    assert there["similar"] == here
    assert set(there["similar"][:2]) == {others[0].pk, others[1].pk}
    assert source.pk not in there["similar"]


def test_the_testimony_page_shows_its_like(alike, client):
    page = client.get(alike[0].get_absolute_url()).content.decode()
    assert 'class="similar"' in page
    assert alike[1].public_id in page and alike[2].public_id in page
