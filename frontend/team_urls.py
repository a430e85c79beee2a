"""Routes of the research lead's team pages."""

from django.urls import URLPattern, path  # noqa: F401

urlpatterns: list[URLPattern] = []
auth_urlpatterns: list[URLPattern] = []
