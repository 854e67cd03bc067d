"""Working time on the Chinese calendar (weekends, the 2026 National Day week and its make-up working
days), the fallback for a year without a schedule and its warning, and the calendar in the admin."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone

from cases.models import CalendarDay, CalendarYear, LimitUnit
from cases.worktime import calendar, calendar_changed, deadline_after, missing_years, seed_from_package

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, tzinfo=SH)


def working(start, hours):
    return deadline_after(start, hours, LimitUnit.WORKING)


@pytest.fixture(autouse=True)
def seeded():
    """The holiday calendar as the migration seeds it (idempotent)."""
    seed_from_package(CalendarDay, CalendarYear)
    calendar_changed()


def test_office_hours_skip_lunch_and_the_night():
    assert working(at(2026, 6, 2, 11, 30), 1) == at(2026, 6, 2, 14, 0)  # 11:30–12:00, 13:30–14:00
    assert working(at(2026, 6, 2, 17, 0), 1) == at(2026, 6, 3, 9, 30)  # 17:00–17:30, 09:00–09:30
    assert working(at(2026, 6, 2, 20, 0), 7) == at(2026, 6, 3, 17, 30)  # a whole working day
    assert working(at(2026, 6, 2, 12, 45), 0.5) == at(2026, 6, 2, 14, 0)  # started in the lunch break


def test_a_weekend_is_skipped():
    friday = at(2026, 6, 5, 16, 0)
    assert working(friday, 3) == at(2026, 6, 8, 10, 30)  # 1.5 h on Friday, 1.5 h on Monday


def test_the_national_day_week_is_skipped():
    # Wednesday 30 September; 1–7 October are the holiday (including its weekend).
    assert working(at(2026, 9, 30, 16, 0), 3) == at(2026, 10, 8, 10, 30)
    assert working(at(2026, 9, 30, 9, 0), 14) == at(2026, 10, 8, 17, 30)


def test_make_up_working_days_count():
    # Saturday 10 October 2026 is a working day (调休) after the National Day week.
    assert calendar().is_workday(date(2026, 10, 10)) and not calendar().is_workday(date(2026, 10, 11))
    assert working(at(2026, 10, 9, 16, 0), 3) == at(2026, 10, 10, 10, 30)
    # Sunday 20 September 2026 too.
    assert working(at(2026, 9, 18, 17, 0), 1) == at(2026, 9, 20, 9, 30)


def test_natural_hours_run_through_nights_and_holidays():
    start = at(2026, 9, 30, 16, 0)
    assert deadline_after(start, 24, LimitUnit.NATURAL) == at(2026, 10, 1, 16, 0)
    assert deadline_after(start, 1.5, LimitUnit.NATURAL) == at(2026, 9, 30, 17, 30)


def test_working_hours_between():
    cal = calendar()
    assert cal.working_hours_between(at(2026, 9, 30, 9, 0), at(2026, 10, 8, 12, 0)) == 10  # 7 + 3
    assert cal.working_hours_between(at(2026, 10, 9, 9, 0), at(2026, 10, 12, 9, 0)) == 14  # Friday + Saturday
    assert cal.working_hours_between(at(2026, 6, 5, 12, 0), at(2026, 6, 5, 13, 30)) == 0  # lunch
    assert cal.working_hours_between(at(2026, 6, 5, 12, 0), at(2026, 6, 4, 12, 0)) == 0  # backwards
    # The inverse of add_working_hours.
    start = at(2026, 9, 29, 10, 15)
    assert cal.working_hours_between(start, working(start, 17.25)) == pytest.approx(17.25)


def test_a_year_without_a_schedule_counts_monday_to_friday():
    assert 2027 not in calendar().known_years
    # Friday 1 October 2027 will be a holiday, but without the schedule it counts as a working day.
    assert working(at(2027, 9, 30, 16, 0), 3) == at(2027, 10, 1, 10, 30)
    assert missing_years(date(2027, 3, 1)) == [2027]
    assert missing_years(date(2026, 6, 1)) == []
    assert missing_years(date(2026, 11, 23)) == [2027]  # November: next year's schedule is due


def test_a_day_entered_in_the_admin_changes_deadlines_at_once(client, world):
    before = working(at(2027, 9, 30, 16, 0), 3)
    assert before == at(2027, 10, 1, 10, 30)
    client.force_login(world.users["root"])
    response = client.post("/admin/cases/calendarday/add/", {"date": "2027-10-01", "is_workday": "",
                                                             "name": "国庆节"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert working(at(2027, 9, 30, 16, 0), 3) == at(2027, 10, 4, 10, 30)  # Monday
    CalendarDay.objects.filter(date=date(2027, 10, 1)).delete()
    assert working(at(2027, 9, 30, 16, 0), 3) == before


def _home(client, user):
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client.get("/").content.decode()


def test_the_missing_schedule_warning_shows_to_administrators_only(client, world):
    this_year = timezone.localdate().year
    CalendarYear.objects.filter(year__in=[this_year, this_year + 1]).delete()
    text = f"The holiday schedule for {this_year}"
    admin_home = _home(client, world.users["admin_a"])
    assert text in admin_home or f"The holiday schedules for {this_year}" in admin_home
    assert "Monday–Friday only" in admin_home
    root_home = _home(client, world.users["root"])
    assert 'href="/admin/cases/calendarday/"' in root_home
    assert "Monday–Friday only" not in _home(client, world.users["worker_a"])
    assert "Monday–Friday only" not in _home(client, world.users["dispatcher"])


def test_no_warning_once_the_years_are_entered(client, world):
    this_year = timezone.localdate().year
    for year in (this_year, this_year + 1):
        CalendarYear.objects.get_or_create(year=year, defaults={"source": "test"})
    assert "Monday–Friday only" not in _home(client, world.users["admin_a"])


def test_load_calendar_restores_the_package_schedule(capsys):
    CalendarDay.objects.filter(date__year=2026).delete()
    CalendarYear.objects.filter(year=2026).delete()
    assert working(at(2026, 9, 30, 16, 0), 3) == at(2026, 10, 1, 10, 30)  # the holiday forgotten
    call_command("load_calendar")
    assert "years=" in capsys.readouterr().out
    assert working(at(2026, 9, 30, 16, 0), 3) == at(2026, 10, 8, 10, 30)
    assert 2026 in calendar().known_years


def test_reloading_keeps_days_entered_by_hand():
    CalendarDay.objects.filter(date=date(2026, 10, 8)).delete()
    CalendarDay.objects.create(date=date(2026, 10, 8), is_workday=False, name="本地防汛放假")
    call_command("load_calendar")
    assert CalendarDay.objects.get(date=date(2026, 10, 8)).name == "本地防汛放假"


def test_the_admin_pages_of_the_case_configuration(client, cw):
    client.force_login(cw.users["root"])
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    for url in ("/admin/cases/category/", f"/admin/cases/category/{cw.major.pk}/change/",
                f"/admin/cases/category/{cw.litter.pk}/change/", "/admin/cases/dutyassignment/",
                f"/admin/cases/dutyassignment/?department__id__exact={cw.roads.pk}",
                "/admin/cases/calendarday/", "/admin/cases/calendarday/?date__year=2026&is_workday__exact=1",
                "/admin/cases/calendaryear/"):
        response = client.get(url)
        assert response.status_code == 200, url
    major = client.get(f"/admin/cases/category/{cw.major.pk}/change/").content.decode()
    assert "暴露垃圾" in major  # its minor class, inline
    days = client.get("/admin/cases/calendarday/?date__year=2026&is_workday__exact=1").content.decode()
    assert "2026-10-10" in days or "Oct. 10, 2026" in days
    # The reload action, from the calendar-year list.
    response = client.post("/admin/cases/calendaryear/", {
        "action": "reload_calendar", "_selected_action": [2026]}, follow=True)
    assert "Loaded the holiday calendar" in response.content.decode()


def test_the_admin_is_for_superusers_only(client, world):
    client.force_login(world.users["admin_a"])  # role administrator, not a superuser
    response = client.get("/admin/cases/calendarday/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
