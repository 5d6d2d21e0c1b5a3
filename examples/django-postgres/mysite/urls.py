from django.urls import path

from health import views

urlpatterns = [
    path("", views.index),
    path("health", views.health),
    path("health/db", views.health_db),
]
