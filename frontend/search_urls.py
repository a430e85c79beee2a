"""Pages of search_urls."""

from django.urls import path

from frontend import search_views

urlpatterns = [path("search/", search_views.search_page, name="search")]
