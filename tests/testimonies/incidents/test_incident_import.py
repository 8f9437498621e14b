"""import_testimonies with incidents: incident lines declare incidents,
testimony lines link to them by key, all or nothing."""

import json

import pytest
from django.core.management import CommandError, call_command

from archive.models import AuditEntry
from testimonies.incidents.models import Incident, IncidentLink
from testimonies.models import Testimony
from tests.testimonies.test_import import line, write

pytestmark = pytest.mark.usefixtures("gazetteer")

KUSOUR = {
    "kind": "incident",
    "key": "banias-hai-al-kusour-2025-03",
    "title": "Killings in Hai Al Kusour, Banias",
    "title_ar": "مقتلة حي القصور في بانياس",
    "dates": {"start": "2025-03-07", "end": "2025-03-08", "precision": "day"},
    "places": ["Banias"],
    "event_types": ["killing"],
    "communities": ["alawite"],
    "status": "confirmed",
}


def incident_line(**changes):
    return json.dumps({**KUSOUR, **changes}, ensure_ascii=False)


@pytest.mark.django_db
def test_incident_lines_declare_incidents_that_testimony_lines_link(tmp_path):
    path = write(
        tmp_path,
        incident_line(),
        line(incidents=["banias-hai-al-kusour-2025-03"]),
        line(
            external_id="test-0002",
            incidents=[{"key": "banias-hai-al-kusour-2025-03", "role": "mentions"}],
        ),
    )
    call_command("import_testimonies", path)
    incident = Incident.objects.get(key="banias-hai-al-kusour-2025-03")
    assert incident.status == "confirmed"
    assert [p.slug for p in incident.places.all()] == ["banias"]
    roles = dict(
        IncidentLink.objects.filter(incident=incident).values_list(
            "testimony__external_id", "role"
        )
    )
    assert roles == {"test-0001": "describes", "test-0002": "mentions"}
    audited = AuditEntry.objects.filter(target=incident.public_id)
    assert sorted(audited.values_list("action", flat=True)) == [
        "incident_linked",
        "incident_linked",
        "incident_proposed",
    ]
    # A later file names the incident by its key alone; importing again
    # changes nothing.
    again = write(
        tmp_path,
        line(external_id="test-0003", incidents=["banias-hai-al-kusour-2025-03"]),
    )
    call_command("import_testimonies", again)
    call_command("import_testimonies", path)
    assert IncidentLink.objects.filter(incident=incident).count() == 3
    assert Incident.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (line(external_id="t-2", incidents=["no-such-key"]), "no incident has the key"),
        (line(external_id="t-2", incidents="banias"), "incidents must be a list"),
        (
            line(external_id="t-2", incidents=[{"key": "x", "role": "saw"}]),
            "incidents.role must be one of",
        ),
        (incident_line(key="other", places=["Atlantis"]), "Atlantis"),
        (incident_line(key="other", title_ar=""), "title_ar is required"),
        (incident_line(), "already declared on line 1"),
    ],
)
def test_a_bad_incident_or_key_names_its_line_and_nothing_is_written(
    tmp_path, capsys, bad, message
):
    path = write(tmp_path, incident_line(), line(incidents=[KUSOUR["key"]]), bad)
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_testimonies", path)
    errors = capsys.readouterr().err
    assert "line 3:" in errors and message in errors
    assert not Incident.objects.exists()
    assert not Testimony.objects.exists()
    assert not IncidentLink.objects.exists()


@pytest.mark.django_db
def test_a_key_used_before_its_incident_line_is_refused(tmp_path, capsys):
    path = write(tmp_path, line(incidents=[KUSOUR["key"]]), incident_line())
    with pytest.raises(CommandError):
        call_command("import_testimonies", path)
    assert "line 1: incidents: no incident has the key" in capsys.readouterr().err


@pytest.mark.django_db
def test_the_demo_archive_links_its_accounts_to_at_least_six_incidents(documenter):
    from tests.testimonies.test_import import SEEDS

    call_command("import_testimonies", str(SEEDS), verbosity=0)
    linked = Incident.objects.filter(links__isnull=False).distinct()
    assert linked.count() >= 6
    kusour = Incident.objects.get(key="banias-hai-al-kusour-2025-03")
    describing = set(
        kusour.links.filter(role="describes").values_list(
            "testimony__external_id", flat=True
        )
    )
    assert {"seed-0001", "seed-0013", "seed-0020"} <= describing
    bayda = Incident.objects.get(key="al-bayda-2013-05")
    assert bayda.links.filter(testimony__external_id="seed-0004").exists()
