import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
application = get_wsgi_application()

# Everything loaded so far (Django, the apps, their modules) lives as long as the process: keep it
# out of the cyclic collector's scans, and collect the young generation less often. Request
# handling allocates many short-lived objects; this takes about a fifth off a case report.
gc.freeze()
gc.set_threshold(50_000, 20, 20)
