"""(Re)load the holiday calendar (holidays and make-up working days) from the chinesecalendar package.

    manage.py load_calendar

Days already in the database (for example entered by hand in the admin) are kept. After upgrading
chinesecalendar (it gains next year's schedule once the State Council publishes it, usually in
November), run this to enter the new year.
"""

from django.core.management.base import BaseCommand

from cases.models import CalendarDay, CalendarYear
from cases.worktime import calendar_changed, missing_years, seed_from_package


class Command(BaseCommand):
    help = "Load holidays and make-up working days from the chinesecalendar package (keeps days entered by hand)."

    def handle(self, *args, **options):
        before = CalendarDay.objects.count()
        years = seed_from_package(CalendarDay, CalendarYear)
        calendar_changed()
        added = CalendarDay.objects.count() - before
        self.stdout.write(f"years={years} days_added={added}")
        still = missing_years()
        if still:
            self.stderr.write("Holiday schedule still missing for: " + ", ".join(map(str, still))
                              + " (deadlines in those years count Monday-Friday only; enter the days in the admin).")
