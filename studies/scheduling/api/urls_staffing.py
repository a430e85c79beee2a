"""/api/v1/ routes of the research lead's staffing work."""

from django.urls import URLPattern, path  # noqa: F401

urlpatterns: list[URLPattern] = []
