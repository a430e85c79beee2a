"""/api/v1/search/."""

from django.urls import path

from studies.synthesis.search import views

urlpatterns = [path("search/", views.SearchApi.as_view(), name="api-search")]
