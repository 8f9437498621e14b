"""The JSON shape of /api/search/ (CONTRACTS.md, 4)."""


def hit_json(hit) -> dict:
    testimony = hit.testimony
    return {
        "id": testimony.public_id,
        "url": testimony.get_absolute_url(),
        "pseudonym": testimony.witness.pseudonym,
        "excerpt": str(hit.excerpt),
        "places": [{"slug": p.slug, "name": p.label} for p in testimony.places.all()],
        "communities": [c.slug for c in testimony.communities.all()],
        "event_types": [e.slug for e in testimony.event_types.all()],
        "incident": {
            "start": testimony.incident_start and testimony.incident_start.isoformat(),
            "end": testimony.incident_end and testimony.incident_end.isoformat(),
            "precision": testimony.incident_precision,
        },
        "language": testimony.language,
    }


def outcome_json(outcome) -> dict:
    return {
        "count": outcome.count,
        "page": outcome.page,
        "pages": outcome.pages,
        "results": [hit_json(hit) for hit in outcome.hits],
        "facets": outcome.facets,
    }
