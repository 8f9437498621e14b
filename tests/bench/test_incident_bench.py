"""The incident page benchmark (bench/incident_bench.py) measures what it
says: each incident's page and API for each audience, with the answer it
gave and the number of witnesses it was computed over."""

from django.contrib.auth.models import AnonymousUser

from testimonies.incidents.services import incident_link, incident_propose
from tests.installation import bench_module
from tests.markers import committed_db

pytestmark = committed_db

incident_bench = bench_module("incident_bench")


def test_each_incident_is_timed_with_its_answer(
    archive, coast, moderator, client, settings
):
    settings.ARCHIVE_REID_K = 2
    incident = incident_propose(
        user=moderator, title="Killings in Banias", title_ar="القتل في بانياس",
        places=[coast["banias"]],
    )  # fmt: skip
    incident_link(user=moderator, incident=incident, testimony=archive["kusour"])
    figures = incident_bench.measure(
        [incident], {"public": (client, AnonymousUser())}, rounds=2
    )
    row = figures[incident.public_id]
    assert row["public page"]["samples"] == row["public api"]["samples"] == 2
    assert row["public answer alone"]["samples"] == 2
    # One witness: a group below k, so the answer is not shown.
    assert (row["public witnesses"], row["public answer"]) == (1, "not_shown")
