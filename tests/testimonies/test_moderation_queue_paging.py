"""The review queue's pager, over a queue of its own: one more testimony
waiting than a page holds, and nothing else."""

import pytest

from testimonies.moderation.selectors import QUEUE_PAGE_SIZE
from tests import factories
from tests.testimonies.test_moderation_queue import QUEUE, listed

pytestmark = pytest.mark.django_db


def test_the_queue_is_paged_and_the_pager_keeps_the_filters(
    documenter, moderator, client_for
):
    with factories.together():
        for _ in range(QUEUE_PAGE_SIZE + 1):
            factories.testimony(status="submitted", recorded_by=documenter)
    client = client_for(moderator)
    first = client.get(QUEUE, {"sort": "newest"})
    assert len(listed(first)) == QUEUE_PAGE_SIZE
    assert 'href="?sort=newest&amp;page=2"' in first.content.decode()
    second = client.get(QUEUE, {"sort": "newest", "page": 2})
    assert len(listed(second)) == 1
    assert set(listed(second)).isdisjoint(listed(first))


# Assignment
