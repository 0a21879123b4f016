from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from core.errors import Invalid
from core.keyset import Cursor, KeysetPage, keyset_page

pytestmark = [pytest.mark.django_db, pytest.mark.urls("core.tests.urls")]


def make_users(count, same_time=False):
    base = timezone.now()
    return [UserFactory(created_at=base if same_time else base - timedelta(minutes=index)) for index in range(count)]


def walk(client, url):
    seen, pages = [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        body = response.json()
        seen += [row["id"] for row in body["results"]]
        url, pages = body["next"], pages + 1
    return seen, pages


def test_pages_cover_every_row_once_newest_first(api_client):
    users = make_users(7)
    seen, pages = walk(api_client, "/api/test/users?limit=3")
    assert seen == [str(user.pk) for user in users]
    assert pages == 3


def test_ties_on_created_at_are_broken_by_id(api_client):
    users = make_users(5, same_time=True)
    seen, _ = walk(api_client, "/api/test/users?limit=2")
    assert seen == [str(user.pk) for user in sorted(users, key=lambda u: -u.pk)]


def test_rows_added_while_paging_never_shift_the_pages(api_client):
    users = make_users(4)
    first = api_client.get("/api/test/users?limit=2").json()
    UserFactory()  # newer than everything: must not reappear or push rows onto page two
    second = api_client.get(first["next"]).json()
    assert [row["id"] for row in second["results"]] == [str(u.pk) for u in users[2:4]]
    assert second["next"] is None


def test_previous_returns_the_page_before(api_client):
    make_users(5)
    first = api_client.get("/api/test/users?limit=2").json()
    assert first["previous"] is None
    second = api_client.get(first["next"]).json()
    back = api_client.get(second["previous"]).json()
    assert [row["id"] for row in back["results"]] == [row["id"] for row in first["results"]]
    assert back["previous"] is None


def test_default_and_maximum_limit(api_client):
    make_users(25)
    assert len(api_client.get("/api/test/users").json()["results"]) == 20
    response = api_client.get("/api/test/users?limit=101")
    assert response.status_code == 400
    assert "limit" in response.json()["errors"]


@pytest.mark.parametrize("limit", ["0", "-1", "abc", "1.5"])
def test_bad_limit_is_a_400_naming_limit(api_client, limit):
    response = api_client.get(f"/api/test/users?limit={limit}")
    assert response.status_code == 400
    assert "limit" in response.json()["errors"]


@pytest.mark.parametrize("cursor", ["garbage", "eyJkIjoibiJ9", "e30", "%%%", "eyJkIjoibiIsInYiOlt0cnVlLDFdfQ"])
def test_bad_cursor_is_a_400_naming_cursor(api_client, cursor):
    make_users(2)
    response = api_client.get(f"/api/test/users?cursor={cursor}")
    assert response.status_code == 400
    assert "cursor" in response.json()["errors"]


def test_page_query_count_does_not_grow_with_page_size(api_client, django_assert_max_num_queries):
    make_users(50)
    with django_assert_max_num_queries(1):
        assert len(api_client.get("/api/test/users?limit=1").json()["results"]) == 1
    with django_assert_max_num_queries(1):
        assert len(api_client.get("/api/test/users?limit=50").json()["results"]) == 50


# The mechanism itself: cursors, and keyset_page over any reader.


def test_cursor_round_trips_its_values_and_direction():
    when = timezone.now()
    for cursor in (Cursor((when, 1, 42)), Cursor((when, "AAPL"), forward=False)):
        assert Cursor.decode(cursor.encode(), types=len(cursor.values)) == cursor
    assert Cursor.decode(Cursor((when, 1, 42)).encode(), types=(datetime, int, int)) == Cursor((when, 1, 42))
    assert Cursor.decode("", types=2) is None
    assert Cursor.decode(None, types=2) is None


@pytest.mark.parametrize(
    ("raw", "types"),
    [
        ("garbage", 2),
        (Cursor((1, 2)).encode(), 3),  # the wrong number of values
        (Cursor((1, 2)).encode(), (datetime, int)),  # the wrong types
        (Cursor((True, 2)).encode(), (int, int)),  # a boolean is not an integer
        (Cursor((2**63, 1)).encode(), 2),  # beyond a bigint
    ],
)
def test_a_bad_cursor_is_invalid_naming_cursor(raw, types):
    with pytest.raises(Invalid) as error:
        Cursor.decode(raw, types=types)
    assert set(error.value.errors) == {"cursor"}


def _numbers_reader(numbers):
    """A reader over ``numbers`` in descending order, as ``keyset_page`` asks for them."""

    def read(cursor, count):
        if cursor is None:
            return sorted(numbers, reverse=True)[:count]
        if cursor.forward:
            return sorted((n for n in numbers if n < cursor.values[0]), reverse=True)[:count]
        return sorted(n for n in numbers if n > cursor.values[0])[:count]

    return read


def test_keyset_page_walks_any_reader_both_ways():
    read, key = _numbers_reader(range(1, 8)), lambda n: (n,)

    first = keyset_page(read, key=key, cursor=None, limit=3)
    second = keyset_page(read, key=key, cursor=first.next, limit=3)
    last = keyset_page(read, key=key, cursor=second.next, limit=3)
    back = keyset_page(read, key=key, cursor=last.previous, limit=3)

    assert (first.rows, first.previous, first.next) == ([7, 6, 5], None, Cursor((5,)))
    assert (second.rows, second.previous, second.next) == ([4, 3, 2], Cursor((4,), forward=False), Cursor((2,)))
    assert (last.rows, last.previous, last.next) == ([1], Cursor((1,), forward=False), None)
    assert back == second


def test_keyset_page_reads_one_row_more_than_the_page():
    asked = []

    def read(cursor, count):
        asked.append(count)
        return [3, 2, 1][:count]

    assert keyset_page(read, key=lambda n: (n,), cursor=None, limit=3) == KeysetPage([3, 2, 1], None, None)
    assert asked == [4]
