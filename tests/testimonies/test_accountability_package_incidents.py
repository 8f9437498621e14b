"""Accountability packages made for one incident, and the incident links
every package carries: the incident's consented testimonies, the others
listed with the reason, the incident's record covered by the signature."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from testimonies.accountability.verification import package_verify
from testimonies.incidents.models import Incident, IncidentLink, LinkRole
from testimonies.incidents.services import incident_link, incident_merge
from testimonies.models import Place, Testimony
from tests import factories
from tests.testimonies.test_accountability_package import (  # noqa: F401 (fixtures)
    IIIM,
    demo,
    demo_once,
    make,
    package_json,
)

# The demo archive is imported once for the module: each test's own writes
# (a merge, a place added, audit entries) roll back, and its packages go to
# its own folder.
pytestmark = [pytest.mark.django_db, pytest.mark.index_kept]

KUSOUR = "banias-hai-al-kusour-2025-03"


def export(incident_id, out) -> str:
    printed = io.StringIO()
    call_command(
        "export_package", "--for", IIIM, "--by", "moderator",
        "--incident", incident_id, str(out), stdout=printed,
    )  # fmt: skip
    return printed.getvalue()


def releasable(testimony) -> bool:
    return testimony.current_consent().accountability and (
        testimony.status == "approved"
    )


@pytest.fixture
def incident_package(demo, moderator, tmp_path):  # noqa: F811 (fixture)
    """The package of the incident whose demo links mix consented and
    unconsented accounts, describing and mentioning."""
    incident = Incident.objects.get(key=KUSOUR)
    out = tmp_path / "incident-package"
    printed = export(incident.public_id, out)
    return incident, out, printed


def read(path):
    return json.loads(path.read_text("utf-8"))


def test_an_incident_package_holds_exactly_its_consented_testimonies(
    incident_package,
):
    incident, out, printed = incident_package
    assert f"Incident {incident.public_id}: {incident.title}" in printed
    manifest = read(out / "data" / "package.json")
    links = list(incident.links.select_related("testimony"))
    consented = {
        link.testimony.public_id for link in links if releasable(link.testimony)
    }
    others = {link.testimony.public_id for link in links} - consented
    assert consented and others
    assert set(manifest["included"]) == consented
    assert {item["id"] for item in manifest["left_out"]} == others
    assert all(item["reason"] for item in manifest["left_out"])
    assert manifest["asked_for"]["incident"] == incident.public_id
    assert manifest["incident_file"] == "incident.json"
    folders = {p.name for p in (out / "data" / "testimonies").iterdir()}
    assert folders == consented
    assert package_verify(out).ok
    call_command("verify_package", str(out))


def test_the_incident_record_travels_with_corroboration_over_the_package(
    incident_package,
):
    incident, out, _printed = incident_package
    record = read(out / "data" / "incident.json")
    assert record["id"] == incident.public_id
    assert record["title_en"] == incident.title
    assert record["title_ar"] == incident.title_ar
    assert record["summary_ar"] == incident.summary_ar
    assert record["dates"] == {
        "start": "2025-03-07", "end": "2025-03-08", "precision": "day"
    }  # fmt: skip
    assert [p["name_en"] for p in record["places"]] == ["Banias"]
    assert {e["slug"] for e in record["event_types"]} == {
        "massacre", "killing", "looting"
    }  # fmt: skip
    assert [c["slug"] for c in record["communities"]] == ["alawite"]
    assert record["status"] == "confirmed"
    describing = [
        link.testimony
        for link in incident.links.select_related("testimony")
        if link.role == LinkRole.DESCRIBES and releasable(link.testimony)
    ]
    counted = record["corroboration_in_this_package"]
    assert counted["witnesses"] == len({t.witness_id for t in describing})
    assert counted["testimonies_describing"] == len(describing)
    # Counted over the package: fewer than the links the incident has.
    assert (
        counted["testimonies_describing"]
        < incident.links.filter(role=LinkRole.DESCRIBES).count()
    )
    assert {c["slug"] for c in counted["communities"]} == {
        c.slug for t in describing for c in t.communities.all()
    }


def test_a_changed_byte_of_the_incident_record_is_caught(incident_package):
    _incident, out, _printed = incident_package
    file = out / "data" / "incident.json"
    data = file.read_bytes()
    file.write_bytes(data.replace(b'"confirmed"', b'"confirmee"', 1))
    result = package_verify(out)
    assert not result.ok
    assert result.failed_file == "data/incident.json"


def test_each_packaged_testimony_lists_its_incidents_with_titles_role_and_status(
    demo,  # noqa: F811 (fixture)
    moderator,
    tmp_path,
):
    consented = next(t for t in demo.values() if releasable(t))
    elsewhere = Incident.objects.exclude(links__testimony=consented).first()
    incident_link(
        user=moderator, incident=elsewhere, testimony=consented, role="mentions"
    )
    result = make(tmp_path, moderator)
    manifest = package_json(result)
    assert consented.public_id in manifest["included"]
    assert manifest["asked_for"]["incident"] is None
    assert not (result.path / "data" / "incident.json").exists()
    seen_roles = set()
    for public_id in manifest["included"]:
        folder = result.path / "data" / "testimonies" / public_id
        record = read(folder / "testimony.json")
        expected = {
            (link.incident.public_id, link.role)
            for link in IncidentLink.objects.filter(
                testimony__public_id=public_id
            ).select_related("incident")
        }
        assert {(i["id"], i["role"]) for i in record["incidents"]} == expected
        for item in record["incidents"]:
            incident = Incident.objects.get(public_id=item["id"])
            assert item["title_en"] == incident.title
            assert item["title_ar"] == incident.title_ar
            assert item["status"] == incident.status
            seen_roles.add(item["role"])
            assert item["title_en"] in (folder / "testimony.txt").read_text("utf-8")
    assert seen_roles == {"describes", "mentions"}


def test_an_unknown_or_merged_incident_is_refused_and_nothing_written(
    demo,  # noqa: F811 (fixture)
    moderator,
    tmp_path,
):
    out = tmp_path / "out"
    with pytest.raises(CommandError, match="no incident nosuchincident"):
        export("nosuchincident", out)
    assert not out.exists()
    kusour = Incident.objects.get(key=KUSOUR)
    other = Incident.objects.exclude(pk=kusour.pk).first()
    incident_merge(user=moderator, incident=other, into=kusour)
    with pytest.raises(CommandError, match=f"merged into incident {kusour.public_id}"):
        export(other.public_id, out)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(CommandError, match="--incident alone"):
        call_command(
            "export_package", "--for", IIIM, "--by", "moderator",
            "--incident", kusour.public_id, "--place", "banias", str(out),
        )  # fmt: skip


def test_a_place_a_documenter_added_is_named_only_when_a_packaged_testimony_shows_it(
    demo,  # noqa: F811 (fixture)
    moderator,
    tmp_path,
):
    incident = Incident.objects.get(key=KUSOUR)
    banias = incident.places.get()
    private = factories.place("kusour-lane", "A lane in Hai Al Kusour", parent=banias)
    Place.objects.filter(pk=private.pk).update(added_by_documenter=True)
    incident.places.add(private)
    export(incident.public_id, tmp_path / "before")
    record = read(tmp_path / "before" / "data" / "incident.json")
    assert [p["slug"] for p in record["places"]] == ["banias"]
    packaged = read(tmp_path / "before" / "data" / "package.json")["included"][0]
    Testimony.objects.get(public_id=packaged).places.add(private)
    export(incident.public_id, tmp_path / "after")
    record = read(tmp_path / "after" / "data" / "incident.json")
    assert [p["slug"] for p in record["places"]] == ["banias", "kusour-lane"]
