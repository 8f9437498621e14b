"""The JSON shape of /api/incidents/ and /api/incidents/<id>/
(docs/incidents.md), following /api/search/'s."""

from search.serializers import hit_json


def _dates_json(dates) -> dict:
    return {
        "start": dates.start and dates.start.isoformat(),
        "end": dates.end and dates.end.isoformat(),
        "precision": dates.precision,
    }


def corroboration_json(corroboration) -> dict:
    """`communities`: those the accounts concern (their public tags). The
    witnesses' own communities only as yes / no / not_shown, and only where
    it was computed (an incident's detail, not the list)."""
    answer = {
        "witnesses": corroboration.witnesses,
        "testimonies": corroboration.testimonies,
        "communities": [c.slug for c in corroboration.communities],
    }
    if corroboration.several_communities:
        answer["witnesses_from_several_communities"] = str(
            corroboration.several_communities
        )
    return answer


def incident_json(incident, *, places, corroboration) -> dict:
    return {
        "id": incident.public_id,
        "url": incident.get_absolute_url(),
        "title": incident.title,
        "title_ar": incident.title_ar,
        "status": incident.status,
        "dates": _dates_json(incident.dates),
        "places": [{"slug": p.slug, "name": p.label} for p in places],
        "corroboration": corroboration_json(corroboration),
    }


def incident_list_json(outcome) -> dict:
    return {
        "count": outcome.count,
        "page": outcome.page,
        "pages": outcome.pages,
        "results": [
            incident_json(
                row.incident, places=row.places, corroboration=row.corroboration
            )
            for row in outcome.rows
        ],
        "facets": outcome.facets,
    }


class _Linked:
    """A linked testimony in hit_json's shape (no excerpt: the page lists)."""

    def __init__(self, row):
        self.testimony, self.facts = row.card.testimony, row.card.facts
        self.excerpt, self.permitted_use = "", None


def incident_detail_json(page) -> dict:
    incident = page.incident
    return {
        **incident_json(incident, places=page.places, corroboration=page.corroboration),
        "summary": incident.summary,
        "summary_ar": incident.summary_ar,
        "event_types": [e.slug for e in page.event_types],
        "communities": [c.slug for c in page.communities],
        "testimonies": [
            {**hit_json(_Linked(row)), "role": row.role} for row in page.linked
        ],
    }
