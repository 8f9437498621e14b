"""OpenSearch and Elasticsearch by settings, without a live cluster.

What is checked here: the settings switch, the index settings and mapping
the backends create the index with, the search request a role's query
becomes, and the HTTP requests that an update, a withdrawal and an erasure
send, answered by a stand-in server on loopback that records them. What the
engine then does with them (analysing Arabic, merging segments) needs a live
cluster and is not tested here (docs/production.md, Search engine).
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from haystack import connections
from haystack.query import SearchQuerySet

from archive.settings.base import search_connection
from search.places import place_names_for
from search.selectors import text_query_condition
from testimonies import policy
from testimonies.consent.services.consent import consent_withdraw
from testimonies.models import Testimony
from testimonies.vault.identity import identity_store
from tests import factories
from tests.archive.test_settings import PRODUCTION_ENV, manage

ENGINES = ["opensearch", "elasticsearch"]
INDEX = "archive_test"


# -- the settings switch ---------------------------------------------------


def test_whoosh_stays_the_default():
    connection = search_connection({})
    assert connection["ENGINE"] == "search.whoosh.backends.LockingWhooshEngine"


@pytest.mark.parametrize(
    ("name", "engine"),
    [
        ("opensearch", "search.cluster.opensearch.ArchiveOpenSearchEngine"),
        (
            "elasticsearch",
            "search.cluster.elasticsearch.ArchiveElasticsearch7Engine",
        ),
    ],
)
def test_a_cluster_is_chosen_with_its_address_index_and_account(name, engine):
    connection = search_connection(
        {
            "ARCHIVE_SEARCH_ENGINE": name,
            "ARCHIVE_SEARCH_URL": "https://search.internal:9200/",
            "ARCHIVE_SEARCH_INDEX": "coast",
            "ARCHIVE_SEARCH_USERNAME": "archive",
            "ARCHIVE_SEARCH_PASSWORD": "s3cret",
            "ARCHIVE_SEARCH_CA_CERTS": "/etc/archive/search-ca.pem",
            "ARCHIVE_SEARCH_TIMEOUT": "20",
        }
    )
    assert connection == {
        "ENGINE": engine,
        "URL": "https://search.internal:9200/",
        "INDEX_NAME": "coast",
        "KWARGS": {
            "verify_certs": True,
            "http_auth": ("archive", "s3cret"),
            "ca_certs": "/etc/archive/search-ca.pem",
        },
        "TIMEOUT": 20,
        "SILENTLY_FAIL": False,
    }


@pytest.mark.parametrize("value", ["solr", "elastic", ""])
def test_an_unknown_engine_stops_the_start(value):
    with pytest.raises(ImproperlyConfigured, match="ARCHIVE_SEARCH_ENGINE"):
        search_connection({"ARCHIVE_SEARCH_ENGINE": value})


@pytest.mark.parametrize("name", ENGINES)
@pytest.mark.slow
def test_production_with_a_cluster_passes_check_deploy(tmp_path, name):
    env = {
        **PRODUCTION_ENV,
        "ARCHIVE_DATA_DIR": str(tmp_path),
        "ARCHIVE_SEARCH_ENGINE": name,
        "ARCHIVE_SEARCH_URL": "https://search.internal:9200/",
        "ARCHIVE_SEARCH_USERNAME": "archive",
        "ARCHIVE_SEARCH_PASSWORD": "a-long-search-password",
    }
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.slow
def test_check_deploy_warns_of_a_cluster_reached_in_the_clear(tmp_path):
    env = {
        **PRODUCTION_ENV,
        "ARCHIVE_DATA_DIR": str(tmp_path),
        "ARCHIVE_SEARCH_ENGINE": "opensearch",
        "ARCHIVE_SEARCH_URL": "http://search.internal:9200/",
    }
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "search.W001" in result.stderr
    assert "search.W002" in result.stderr


@pytest.mark.slow
def test_a_cluster_on_this_machine_needs_no_tls(tmp_path):
    env = {
        **PRODUCTION_ENV,
        "ARCHIVE_DATA_DIR": str(tmp_path),
        "ARCHIVE_SEARCH_ENGINE": "elasticsearch",
        "ARCHIVE_SEARCH_URL": "http://127.0.0.1:9200/",
    }
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr


# -- a cluster connection for the tests ------------------------------------


@pytest.fixture(params=ENGINES)
def engine(request, monkeypatch):
    """A haystack connection to `engine` at a stand-in server (see
    StandIn), beside the test run's Whoosh index."""
    stand_in = StandIn(request.param)
    alias = f"test-{request.param}"
    connection = search_connection(
        {
            "ARCHIVE_SEARCH_ENGINE": request.param,
            "ARCHIVE_SEARCH_URL": stand_in.url,
            "ARCHIVE_SEARCH_INDEX": INDEX,
        }
    )
    monkeypatch.setitem(settings.HAYSTACK_CONNECTIONS, alias, connection)
    yield connections.reload(alias), stand_in
    connections.thread_local.connections.pop(alias, None)
    stand_in.close()


def searchfields():
    return connections["default"].get_unified_index().all_searchfields()


# -- mapping and index settings --------------------------------------------


def test_document_text_is_analysed_as_arabic_and_as_english(engine):
    backend = engine[0].get_backend()
    content_field, mapping = backend.build_schema(searchfields())
    assert content_field == "text"
    assert mapping["text"] == {
        "type": "text",
        "analyzer": "arabic",
        "fields": {"en": {"type": "text", "analyzer": "english"}},
    }


def test_filters_and_facets_are_keywords(engine):
    backend = engine[0].get_backend()
    _, mapping = backend.build_schema(searchfields())
    for field in [
        "places", "communities", "event_types", "years", "language",
        "audiences", "pseudonym", "public_id",
        "places_exact", "communities_exact", "event_types_exact", "years_exact",
        "language_exact", "django_ct", "django_id",
    ]:  # fmt: skip
        assert mapping[field]["type"] == "keyword", field
    assert mapping["public_id"]["index"] is False
    for field in ["incident_start", "incident_end", "recorded_on", "visible_from"]:
        assert mapping[field] == {"type": "date"}
    assert mapping["owner"] == {"type": "long"}


def test_the_index_keeps_no_deleted_document_through_a_merge(engine):
    backend = engine[0].get_backend()
    index_settings = backend.DEFAULT_SETTINGS["settings"]
    assert index_settings["index"]["merge.policy.expunge_deletes_allowed"] == 0
    # haystack's own analysers are still defined.
    assert "edgengram_analyzer" in index_settings["analysis"]["analyzer"]


# -- the requests sent -----------------------------------------------------


def request_body(sqs):
    """The body of the search request `sqs` sends."""
    query = sqs.query
    return query.backend.build_search_kwargs(
        query.build_query(), **query.build_params()
    )


def search_body(connection, user, **filters):
    sqs = SearchQuerySet(using=connection.using).models(Testimony)
    return request_body(sqs.filter(policy.search_filter(user)).filter(**filters))


def query_string_of(body):
    return body["query"]["bool"]["must"]["query_string"]


@pytest.mark.django_db
def test_a_researchers_query_asks_for_the_researchers_audience(engine, researcher):
    connection, _ = engine
    body = search_body(connection, researcher, content="killed", places="banias")
    query = query_string_of(body)
    assert query["fields"] == ["text", "text.en"]
    assert "default_field" not in query
    assert "(killed)" in query["query"]
    assert "places:(banias)" in query["query"]
    assert "audiences:(researcher)" in query["query"]
    assert "visible_from:([* TO " in query["query"]
    assert "audiences:(public)" not in query["query"]


@pytest.mark.django_db
def test_a_documenters_query_adds_only_their_own_testimonies(engine, documenter):
    connection, _ = engine
    query = query_string_of(search_body(connection, documenter))["query"]
    assert f"owner:({documenter.pk})" in query
    assert "audiences:(researcher)" in query


@pytest.mark.django_db
def test_facets_are_counted_on_the_keyword_copies(engine, anonymous):
    connection, _ = engine
    sqs = SearchQuerySet(using=connection.using).models(Testimony)
    sqs = sqs.filter(policy.search_filter(anonymous)).facet("places", limit=-1)
    body = request_body(sqs)
    # Named "places" or "places_exact" by the two packages; haystack maps
    # either back to "places" (search.selectors reads it so).
    (aggregation,) = body["aggs"].values()
    # The engines know no "limit": every value is asked for with a size.
    assert aggregation["terms"] == {"field": "places_exact", "size": 10_000}
    assert "audiences:(public)" in query_string_of(body)["query"]


@pytest.mark.django_db
def test_an_update_writes_and_refreshes_before_it_returns(engine, coast):
    connection, stand_in = engine
    testimony = factories.testimony(places=[coast["banias"]])
    backend = connection.get_backend()
    index = connection.get_unified_index().get_index(Testimony)
    stand_in.requests.clear()

    backend.update(index, [testimony])

    (bulk,) = stand_in.bulk_actions()
    assert bulk[0] == ("index", f"testimonies.testimony.{testimony.pk}")
    assert bulk[1]["places"] == ["banias", "sy", "tartus-governorate"]
    assert "Layla Haddad" not in json.dumps(bulk[1], ensure_ascii=False)
    assert stand_in.paths()[-1] == ("POST", f"/{INDEX}/_refresh")


@pytest.mark.django_db
def test_a_withdrawn_testimony_is_deleted_and_refreshed(engine):
    connection, stand_in = engine
    testimony = factories.testimony()
    consent_withdraw(
        testimony=testimony, scopes=None, reason="asked", obtained_by="documenter"
    )
    backend = connection.get_backend()
    index = connection.get_unified_index().get_index(Testimony)
    stand_in.requests.clear()

    # As a rebuild that read the testimony before the withdrawal would.
    backend.update(index, [testimony])

    (bulk,) = stand_in.bulk_actions()
    assert bulk == [("delete", f"testimonies.testimony.{testimony.pk}")]
    assert stand_in.paths()[-1] == ("POST", f"/{INDEX}/_refresh")


@pytest.mark.django_db
def test_a_refused_document_is_deleted_not_sent(engine):
    """A word flagged for a person's decision keeps the testimony out of the
    cluster too: what an earlier write sent is deleted."""
    connection, stand_in = engine
    testimony = factories.testimony(
        witness_name="Ali Haidar", narrative="Gunmen came at night."
    )
    identity_store(
        witness=testimony.witness, name="Ali Haidar", name_variants=["علي حيدر"]
    )
    testimony.translations = {"ar": "جلسنا على الأرض."}
    testimony.save()
    backend = connection.get_backend()
    index = connection.get_unified_index().get_index(Testimony)
    stand_in.requests.clear()

    backend.update(index, [testimony])

    (bulk,) = stand_in.bulk_actions()
    assert bulk == [("delete", f"testimonies.testimony.{testimony.pk}")]
    assert "على" not in json.dumps(stand_in.requests, ensure_ascii=False)


@pytest.mark.django_db
def test_an_erasure_deletes_then_expunges_deleted_documents(engine):
    connection, stand_in = engine
    backend = connection.get_backend()
    stand_in.requests.clear()

    backend.purge_many(["testimonies.testimony.7"])

    (bulk,) = stand_in.bulk_actions()
    assert bulk == [("delete", "testimonies.testimony.7")]
    paths = stand_in.paths()
    refresh = paths.index(("POST", f"/{INDEX}/_refresh"))
    merge = paths.index(("POST", f"/{INDEX}/_forcemerge"))
    assert refresh < merge
    (merge_request,) = [r for r in stand_in.requests if r["path"].endswith("merge")]
    assert merge_request["query"]["only_expunge_deletes"] == ["true"]


@pytest.mark.django_db
def test_deleted_documents_the_engine_retains_are_reported(engine, caplog):
    connection, stand_in = engine
    stand_in.deleted_after_merge = 1
    connection.get_backend().purge_many(["testimonies.testimony.7"])
    assert "1 deleted documents still retained" in caplog.text


# -- the stand-in server ---------------------------------------------------


@pytest.mark.django_db
def test_similar_testimonies_are_the_engines_more_like_this(engine, anonymous):
    connection, stand_in = engine
    stand_in.search_hits = [
        {"_id": f"testimonies.testimony.{pk}", "_source": {"django_id": str(pk)}}
        for pk in (7, 3)
    ]
    backend = connection.get_backend()
    found = backend.similar_pks(
        pk=5,
        text="Fishermen saw their boats burned in the harbour.",
        allowed=policy.search_filter(anonymous),
        top=4,
    )
    assert found == [7, 3]
    (search,) = [r for r in stand_in.requests if r["path"].endswith("/_search")]
    query = json.loads(search["body"])["query"]["bool"]
    (like,) = query["must"]
    assert like["more_like_this"]["fields"] == ["text", "text.en"]
    assert like["more_like_this"]["like"].startswith("Fishermen saw")
    assert query["must_not"] == [{"ids": {"values": ["testimonies.testimony.5"]}}]
    (role,) = [
        f["query_string"]["query"] for f in query["filter"] if "query_string" in f
    ]
    assert "audiences:(public)" in role and "visible_from:([* TO " in role
    assert {"term": {"django_ct": "testimonies.testimony"}} in query["filter"]


@pytest.mark.django_db
def test_the_query_syntax_reaches_the_engine_as_its_query_string(engine, coast):
    connection, _ = engine
    names = place_names_for(AnonymousUser())
    condition = text_query_condition(
        '(Baniyas OR fishermen) NOT "old market" burn* -قتل', names
    )
    sqs = SearchQuerySet(using=connection.using).models(Testimony).filter(condition)
    query = query_string_of(request_body(sqs))["query"]
    assert query == (
        "(((baniyas) OR places:(banias) OR (banias) OR (بانياس) OR (fishermen))"
        ' AND NOT (("old market")) AND (burn*) AND NOT ((قتل)))'
    )


class StandIn:
    """Answers the requests the backends send as OpenSearch 2 or
    Elasticsearch 7 would, with an empty index, and records them."""

    def __init__(self, flavour):
        self.flavour = flavour
        self.requests = []
        self.deleted_after_merge = 0
        self.search_hits = []  # what a search answers
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        # shutdown() waits for the loop's next look at its flag: every
        # poll_interval (half a second by default, a second per test).
        self.thread = threading.Thread(
            target=self.server.serve_forever,
            kwargs={"poll_interval": 0.01},
            daemon=True,
        )
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def paths(self):
        return [(r["method"], r["path"]) for r in self.requests]

    def bulk_actions(self):
        """Each bulk request as a list: (action, id) pairs, each followed by
        its document where the action carries one."""
        out = []
        for request in self.requests:
            if not request["path"].endswith("/_bulk"):
                continue
            items = []
            for line in request["body"].splitlines():
                entry = json.loads(line)
                action = next(iter(entry)) if len(entry) == 1 else None
                if action in {"index", "delete", "create", "update"}:
                    items.append((action, entry[action]["_id"]))
                else:
                    items.append(entry)
            out.append(items)
        return out

    def answer(self, method, path, body):
        if path == "/":
            return 200, {
                "name": "stand-in",
                "version": {"number": "7.17.0", "build_flavor": "default"},
                "tagline": "You Know, for Search",
            }
        if path.endswith("/_mapping") and method == "GET":
            return 404, {"error": {"type": "index_not_found_exception"}, "status": 404}
        if path.endswith("/_bulk"):
            lines = [json.loads(line) for line in body.splitlines() if line]
            items = [
                {next(iter(e)): {"_id": e[next(iter(e))].get("_id"), "status": 200}}
                for e in lines
                if len(e) == 1 and next(iter(e)) in {"index", "delete"}
            ]
            return 200, {"took": 1, "errors": False, "items": items}
        if path.endswith("/_stats/docs"):
            docs = {"count": 0, "deleted": self.deleted_after_merge}
            return 200, {"_all": {"total": {"docs": docs}, "primaries": {"docs": docs}}}
        if path.endswith("/_search"):
            hits = self.search_hits
            return 200, {"hits": {"total": {"value": len(hits)}, "hits": hits}}
        return 200, {"acknowledged": True, "_shards": {"failed": 0}}

    def _handler(self):
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                url = urlsplit(self.path)
                stand_in.requests.append(
                    {
                        "method": self.command,
                        "path": url.path,
                        "query": parse_qs(url.query),
                        "body": body,
                    }
                )
                status, payload = stand_in.answer(self.command, url.path, body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("X-Elastic-Product", "Elasticsearch")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _serve

            def log_message(self, *args):
                pass

        return Handler


@pytest.mark.django_db
def test_the_page_says_did_you_mean_reads_only_places_on_a_cluster(engine, rf):
    connection, _ = engine
    backend = connection.get_backend()
    assert backend.corrects_from_index is False
    page = render_to_string(
        "search/search.html",
        {"corrects_from_index": backend.corrects_from_index, "facet_groups": []},
        request=rf.get("/search/"),
    )
    assert 'id="places-only-corrections"' in page


@pytest.mark.django_db
def test_the_page_on_whoosh_does_not(client):
    assert 'id="places-only-corrections"' not in client.get("/search/").content.decode()
