"""Routes of the research lead's setup pages."""

from django.urls import URLPattern, path

from frontend.setup_pages import study as setup

STUDY = "studies/<uuid:study_id>/"

urlpatterns: list[URLPattern] = [
    path("studies/new/", setup.study_new, name="study-new"),
    path(f"{STUDY}settings/", setup.study_settings, name="study-settings"),
    path(f"{STUDY}close/", setup.study_close_view, name="study-close"),
    path(f"{STUDY}reopen/", setup.study_reopen_view, name="study-reopen"),
    path(f"{STUDY}guide/", setup.study_guide, name="study-guide"),
]
