"""Health endpoints: /health never touches the database, /health/db does."""

from django.db import connection
from django.http import JsonResponse


def index(request):
    return JsonResponse({"message": "hello from django-postgres"})


def health(request):
    return JsonResponse({"status": "ok"})


def health_db(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # report any driver error as unhealthy
        return JsonResponse({"status": "error", "detail": str(exc)}, status=503)
    return JsonResponse({"status": "ok"})
