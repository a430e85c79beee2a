"""Routes of the research lead's panel pages."""

from django.urls import path

from frontend.setup_pages import panel

PANEL = "studies/<uuid:study_id>/panel/"

urlpatterns = [
    path(PANEL, panel.panel, name="panel"),
    path(f"{PANEL}add/", panel.panel_add, name="panel-add"),
    path(f"{PANEL}import/", panel.panel_import_upload, name="panel-import"),
    path(
        f"{PANEL}import/<uuid:import_id>/",
        panel.panel_import_preview,
        name="panel-import-preview",
    ),
    path(f"{PANEL}export/", panel.panel_export_file, name="panel-export"),
]
