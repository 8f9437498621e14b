"""The accounts the facet tests count, and how they read the counts."""

from tests import factories


def many_testimonies(coast) -> list:
    """Ten accounts over three towns, communities and event types."""
    T = factories.testimony
    made = []
    with factories.together():
        for place, communities, events, n in [
            ("banias", ("alawite",), ("killing",), 3),
            ("banias", ("sunni",), ("killing",), 2),
            ("banias", ("alawite", "sunni"), ("looting",), 1),
            ("jableh", ("alawite",), ("killing",), 2),
            ("jableh", ("christian",), ("threat",), 1),
            ("tartus", ("sunni",), ("arbitrary-detention",), 1),
        ]:
            for _ in range(n):
                made.append(
                    T(
                        narrative="Gunmen came at night; shots were heard.",
                        places=[coast[place]],
                        communities=communities,
                        event_types=events,
                    )
                )
    return made


def facets(client, **params):
    answer = client.get("/api/search/", params)
    assert answer.status_code == 200, answer.content
    return {
        name: {entry.get("slug", entry.get("value")): entry["count"] for entry in e}
        for name, e in answer.json()["facets"].items()
    }
