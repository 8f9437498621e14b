"""The JSON shape of /api/search/ (CONTRACTS.md, 4)."""


def hit_json(hit) -> dict:
    """One result; its places and dates as the user may see them (generalised
    for the public: testimonies.selectors.testimonies_facts)."""
    testimony = hit.testimony
    incident = testimony.facts.incident
    return {
        "id": testimony.public_id,
        "url": testimony.get_absolute_url(),
        "pseudonym": testimony.witness.pseudonym,
        "excerpt": str(hit.excerpt),
        "places": [{"slug": p.slug, "name": p.label} for p in testimony.facts.places],
        "communities": [c.slug for c in testimony.communities.all()],
        "event_types": [e.slug for e in testimony.event_types.all()],
        "incident": {
            "start": incident.start and incident.start.isoformat(),
            "end": incident.end and incident.end.isoformat(),
            "precision": incident.precision,
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
