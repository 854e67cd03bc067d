"""The inbox and the header badge: a user sees their own notifications only, and marks them read."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.context_processors import unread_count
from notifications.models import Kind, Notification
from notifications.service import notify

pytestmark = pytest.mark.django_db


def make(user, title, minutes_ago=0, read=False, url="", **extra):
    item = Notification.objects.create(recipient=user, kind=extra.pop("kind", Kind.UPDATE), title=title, url=url,
                                       read_at=timezone.now() if read else None, **extra)
    Notification.objects.filter(pk=item.pk).update(created=timezone.now() - timedelta(minutes=minutes_ago))
    return item


def english(client, user):
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def badge_count(html: str):
    match = re.search(r'data-unread="(\d+)"', html)
    return int(match.group(1)) if match else 0


def test_the_inbox_lists_my_notifications_newest_first_with_the_unread_marked(client, world):
    me, other = world.users["staff_a"], world.users["staff_b"]
    make(me, "Old and read", minutes_ago=60, read=True)
    make(me, "Newest, unread", minutes_ago=1)
    make(me, "Middle, unread", minutes_ago=30)
    make(other, "Somebody else's")
    html = english(client, me).get("/notifications/").content.decode()
    assert html.index("Newest, unread") < html.index("Middle, unread") < html.index("Old and read")
    assert "Somebody else" not in html
    assert html.count('class="inbox-item unread"') == 2
    assert "2 unread" in html
    only_unread = client.get("/notifications/?unread=1").content.decode()
    assert "Old and read" not in only_unread and "Newest, unread" in only_unread


def test_opening_a_notification_marks_it_read_and_goes_to_the_case(client, world):
    me = world.users["staff_a"]
    item = make(me, "Case 2026 is overdue", url="/cases/7/")
    response = english(client, me).post(f"/notifications/{item.pk}/", {"next": "/cases/7/"})
    assert response.status_code == 302 and response["Location"] == "/cases/7/"
    item.refresh_from_db()
    assert item.read_at is not None


def test_mark_one_read_returns_to_the_inbox_and_an_outside_next_is_ignored(client, world):
    me = world.users["staff_a"]
    item = make(me, "x")
    response = english(client, me).post(f"/notifications/{item.pk}/", {"next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    assert Notification.objects.get(pk=item.pk).read_at is not None


def test_mark_all_read_needs_a_post_and_touches_only_mine(client, world):
    me, other = world.users["staff_a"], world.users["staff_b"]
    for n in range(3):
        make(me, f"n{n}")
    theirs = make(other, "theirs")
    english(client, me)
    assert client.get("/notifications/read-all/").status_code == 405
    assert client.post("/notifications/read-all/").status_code == 302
    assert not Notification.objects.filter(recipient=me, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_somebody_elses_notification_is_not_found_and_not_marked(client, world):
    theirs = make(world.users["staff_b"], "银闸 private")
    english(client, world.users["staff_a"])
    assert client.get(f"/notifications/{theirs.pk}/").status_code == 404
    assert client.post(f"/notifications/{theirs.pk}/").status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_the_detail_page_shows_the_whole_message(client, world):
    me = world.users["staff_a"]
    item = make(me, "Supervision notice", body="The step was due yesterday.\nPlease report today.")
    html = english(client, me).get(f"/notifications/{item.pk}/").content.decode()
    assert "Supervision notice" in html and "Please report today." in html
    assert Notification.objects.get(pk=item.pk).read_at is None  # reading the page does not change anything


def test_the_header_badge_shows_the_unread_count_on_every_page(client, world):
    me = world.users["worker_a"]
    english(client, me)
    assert badge_count(client.get("/").content.decode()) == 0
    notify([me, world.users["staff_b"]], kind=Kind.ASSIGNED, title="New task")
    make(me, "read already", read=True)
    make(me, "second")
    home = client.get("/").content.decode()
    assert badge_count(home) == 2
    assert 'href="/notifications/"' in home
    assert badge_count(client.get("/places/map/").content.decode()) == 2
    client.post("/notifications/read-all/")
    assert badge_count(client.get("/").content.decode()) == 0


def test_the_badge_polls_with_htmx_and_caps_at_99(client, world):
    me = world.users["staff_a"]
    Notification.objects.bulk_create([Notification(recipient=me, kind=Kind.UPDATE, title=f"n{i}")
                                      for i in range(120)])
    response = english(client, me).get("/notifications/badge/")
    html = response.content.decode()
    assert 'hx-trigger="every 60s"' in html and 'hx-get="/notifications/badge/"' in html
    assert "99+" in html
    assert "no-cache" in response["Cache-Control"]


def test_the_unread_count_is_one_query(world, django_assert_num_queries):
    me = world.users["staff_a"]
    make(me, "one")
    with django_assert_num_queries(1):
        assert unread_count(me) == 1


def test_the_pages_need_a_signed_in_user(client, world):
    for url in ("/notifications/", "/notifications/badge/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert "notification-badge" not in client.get("/accounts/login/").content.decode()


def test_the_inbox_is_in_chinese_by_default(client, world):
    client.force_login(world.users["staff_a"])
    make(world.users["staff_a"], "x")
    html = client.get("/notifications/").content.decode()
    assert 'lang="zh-hans"' in html
