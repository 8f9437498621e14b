"""A signed-in request reads its account with its reading preferences in one
query and its role in one more, afresh on every request: a role taken away
in another session counts on that account's very next request."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from archive.models import AccountSettings, MonthNames
from archive.roles import Role, role_of
from archive.selectors import account_for_request
from tests import factories

pytestmark = pytest.mark.django_db


def queries_of_one_request(client, url) -> list[str]:
    client.get(url)  # the first request may write (session, last login)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def test_the_account_and_its_preferences_come_in_one_query_its_role_in_one(
    archive, researcher, client_for
):
    AccountSettings.objects.create(
        user=researcher, time_zone="Europe/Berlin", month_names=MonthNames.EGYPTIAN
    )
    queries = queries_of_one_request(
        client_for(researcher), "/ar" + archive["kusour"].get_absolute_url()
    )
    groups = [sql for sql in queries if '"auth_user_groups"' in sql]
    preferences = [sql for sql in queries if '"archive_accountsettings"' in sql]
    accounts = [sql for sql in queries if 'FROM "auth_user"' in sql]
    assert len(accounts) == 1, accounts
    assert preferences == accounts
    assert len(groups) == 1, groups


def test_an_account_that_never_chose_reads_nothing_more(researcher, client_for):
    queries = queries_of_one_request(client_for(researcher), "/")
    assert [sql for sql in queries if '"archive_accountsettings"' in sql] == [
        sql for sql in queries if 'FROM "auth_user"' in sql
    ]


def test_a_role_taken_away_counts_on_the_next_request(client_for, documenter):
    client = client_for(documenter)
    assert client.get("/testimonies/mine/").status_code == 200
    documenter.groups.clear()
    assert client.get("/testimonies/mine/").status_code == 403
    documenter.groups.add(Group.objects.get(name="moderator"))
    response = client.get("/moderation/")
    assert response["Location"].startswith("/accounts/two-factor/")


def test_the_role_read_with_the_account_is_the_role_of_its_groups():
    for groups, role in [
        ((), Role.PUBLIC),
        (("researcher",), Role.RESEARCHER),
        (("researcher", "documenter"), Role.DOCUMENTER),
        (("documenter", "moderator", "researcher"), Role.MODERATOR),
    ]:
        user = factories.UserFactory()
        user.groups.add(*Group.objects.filter(name__in=groups))
        assert role_of(account_for_request(user_id=user.pk)) is role, groups
    assert account_for_request(user_id=0) is None
