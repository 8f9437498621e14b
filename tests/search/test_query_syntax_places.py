"""The query syntax (search.query_syntax) with the gazetteer: a place's
name inside the syntax. Apart from test_query_syntax.py, whose accounts are
built once for its module: this test writes its own."""

import pytest

from tests import factories
from tests.markers import committed_db

pytestmark = [committed_db, pytest.mark.usefixtures("each_engine")]


def test_a_place_name_inside_the_syntax_still_means_the_place(coast, client):
    tagged = factories.testimony(
        narrative="Shots all night near the harbour.", places=[coast["banias"]]
    )
    answer = client.get("/api/search/", {"q": "بانياس OR Jableh"}).json()
    assert [r["id"] for r in answer["results"]] == [tagged.public_id]
    answer = client.get("/api/search/", {"q": "harbour -Baniyas"}).json()
    assert answer["results"] == []
