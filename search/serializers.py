"""The JSON shape of /api/search/ (docs/api.md)."""


def hit_json(hit) -> dict:
    """One result; its places and dates as the user may see them (generalised
    for the public: testimonies.core.selectors.testimonies_facts)."""
    testimony = hit.testimony
    incident = hit.facts.incident
    return {
        "id": testimony.public_id,
        "url": testimony.get_absolute_url(),
        "pseudonym": testimony.witness.pseudonym,
        "excerpt": str(hit.excerpt),
        "places": [{"slug": p.slug, "name": p.label} for p in hit.facts.places],
        "communities": [c.slug for c in testimony.communities.all()],
        "event_types": [e.slug for e in testimony.event_types.all()],
        "incident": {
            "start": incident.start and incident.start.isoformat(),
            "end": incident.end and incident.end.isoformat(),
            "precision": incident.precision,
        },
        "language": testimony.language,
        "permitted_use": permitted_use_json(hit.permitted_use),
    }


def permitted_use_json(use) -> dict | None:
    """What the reader may do with a testimony: a stable `code`
    (public-quotable, public, researchers-quotable, researchers-only,
    staff-only), the same in words (`text`, in the reader's language), and
    who may be shown its photos and documents (`images`: "" not asked, so
    not shown; none; researchers; public)."""
    if use is None:
        return None
    return {"code": use.code, "text": use.text, "images": use.images}


def place_match_json(match) -> dict:
    """Words of the query that name places: every place so named (whose
    testimonies matched too) and the one(s) offered as a filter."""
    return {
        "words": match.words,
        "places": [p.slug for p in match.places],
        "suggested": [
            {
                "slug": p.slug,
                "name": p.label,
                "governorate": g.label
                if (g := match.governorates.get(p.slug))
                else None,
            }
            for p in match.offered
        ],
    }


def outcome_json(outcome) -> dict:
    """The answer docs/api.md describes: the page, its results and facets,
    `places_matched` (places the query's words name), `suggestion` (a
    corrected query when this one found few testimonies, else null) and
    `note` (why `q` was searched as plain words, or a word of it that reads
    as an operator and is not one; else null)."""
    return {
        "count": outcome.count,
        "page": outcome.page,
        "pages": outcome.pages,
        "results": [hit_json(hit) for hit in outcome.hits],
        "facets": outcome.facets,
        "places_matched": [place_match_json(m) for m in outcome.places_matched],
        "suggestion": outcome.suggestion or None,
        "note": outcome.query_note or None,
    }
