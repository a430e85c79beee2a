"""/api/v1/ routes of the research lead's panel work."""

from django.urls import path

from studies.scheduling.api.views import panel

PANEL = "studies/<uuid:study_id>/panel/"

urlpatterns = [
    path(f"{PANEL}imports/", panel.PanelImportListApi.as_view(), name="api-panel-imports"),
    path(
        f"{PANEL}imports/<uuid:import_id>/",
        panel.PanelImportDetailApi.as_view(),
        name="api-panel-import",
    ),
    path(
        f"{PANEL}imports/<uuid:import_id>/confirm/",
        panel.PanelImportConfirmApi.as_view(),
        name="api-panel-import-confirm",
    ),
    path(f"{PANEL}export/", panel.PanelExportApi.as_view(), name="api-panel-export"),
]
