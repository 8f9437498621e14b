"""Everything a restore must bring back, as JSON-able values.

Taken in the test process from the archive that was backed up, and in a
`manage.py shell` of the fresh installation (dev settings) after the
restore, which prints it as JSON; the two must be equal.
"""

import hashlib
from dataclasses import asdict
from pathlib import Path


def _rows(model) -> list:
    return [
        {key: str(value) for key, value in row.items()}
        for row in model._base_manager.order_by("pk").values()
    ]


def _media() -> dict[str, str]:
    from django.conf import settings

    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return {}
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _search(query: str, usernames: list[str]) -> dict[str, list[str]]:
    from django.contrib.auth.models import AnonymousUser, User

    from search.selectors import testimony_search

    answers = {}
    people = [("anonymous", AnonymousUser())] + [
        (name, User.objects.get(username=name)) for name in usernames
    ]
    for label, user in people:
        outcome = testimony_search(params={"q": query}, user=user)
        answers[label] = sorted(hit.testimony.public_id for hit in outcome.hits)
    return answers


def snapshot(query: str, usernames: list[str]) -> dict:
    from django.contrib.auth.models import User

    from archive.audit_check import audit_verify
    from archive.models import AuditEntry
    from testimonies.models import (
        ConsentRecord,
        Erasure,
        Review,
        ReviewedVersion,
        Testimony,
        Witness,
    )
    from testimonies.vault.identity import identity_read

    report = audit_verify()
    return {
        "testimonies": {
            t.public_id: {
                "pk": t.pk,
                "status": t.status,
                "narrative": t.narrative,
                "translations": t.translations,
                "witness": t.witness.pseudonym if t.witness_id else None,
            }
            for t in Testimony._base_manager.order_by("pk")
        },
        "identities": {
            w.pseudonym: (asdict(i) if (i := identity_read(witness=w)) else None)
            for w in Witness.objects.order_by("pk")
        },
        "consent": _rows(ConsentRecord),
        "reviews": _rows(Review),
        "reviewed_versions": _rows(ReviewedVersion),
        "erasures": _rows(Erasure),
        "audit": [[e.pk, e.digest] for e in AuditEntry.objects.order_by("pk")],
        "audit_check": [report.entries, report.head, str(report.broken or "")],
        "users": {
            u.username: {
                "password": u.password,
                "groups": sorted(u.groups.values_list("name", flat=True)),
                "totp": sorted(u.totpdevice_set.values_list("key", flat=True)),
            }
            for u in User.objects.order_by("pk")
        },
        "media": _media(),
        "search": _search(query, usernames),
    }
