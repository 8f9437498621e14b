"""What engine-neutral code asks of the Whoosh engine (search.engine) works
on a backend used for the first time: haystack's connections are per
thread, and a web server's thread starts with a backend never set up."""

from concurrent.futures import ThreadPoolExecutor

from django.contrib.auth.models import AnonymousUser
from django.db import connections as db_connections

from search.engine import search_engine
from search.selectors import testimony_search, testimony_similar
from tests import factories
from tests.markers import committed_db

pytestmark = committed_db


def in_a_new_thread(function):
    def run():
        try:
            assert not search_engine().setup_complete  # a fresh backend
            return function()
        finally:
            db_connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result()


def test_similar_testimonies_on_a_fresh_backend(coast):
    made = [
        factories.testimony(narrative=f"Gunmen burned the olive press, house {n}.")
        for n in range(3)
    ]
    similar = in_a_new_thread(
        lambda: testimony_similar(testimony=made[0], user=AnonymousUser())
    )
    assert {card.testimony.pk for card in similar} == {made[1].pk, made[2].pk}


def test_did_you_mean_and_excerpts_on_a_fresh_backend(coast):
    for n in range(3):
        factories.testimony(narrative=f"The checkpoint at dawn, account {n}.")
    outcome = in_a_new_thread(
        lambda: testimony_search(params={"q": "chekpoint"}, user=AnonymousUser())
    )
    assert outcome.suggestion == "checkpoint"
    outcome = in_a_new_thread(
        lambda: testimony_search(params={"q": "checkpoint"}, user=AnonymousUser())
    )
    assert outcome.count == 3
    assert ">checkpoint</mark>" in outcome.hits[0].excerpt
