from django.db import connection
from django.http import HttpResponse, JsonResponse


def healthz(request):
    """For load balancers and monitoring: 200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means "not healthy"
        return JsonResponse({"status": "error", "database": type(exc).__name__}, status=503)
    return JsonResponse({"status": "ok"})


def livez(request):
    """Liveness: the process answers, whatever the database does. It goes through the whole middleware
    stack and touches nothing else, so the load test also uses it as the bare Django view to compare with."""
    return HttpResponse("ok", content_type="text/plain")
