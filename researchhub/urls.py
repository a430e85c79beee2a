from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerSplitView

from frontend.urls import auth_urlpatterns
from studies.common.api.schema_views import SchemaView
from studies.common.views import healthz

handler404 = "studies.common.views.page_not_found"
handler500 = "studies.common.views.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/schema/", SchemaView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up code as a file: the CSP allows no inline code.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", template_name="frontend/swagger_ui.html"
        ),
        name="api-docs",
    ),
    path("api/v1/", include("studies.scheduling.api.urls")),
    path("api/v1/", include("studies.privacy.api.urls")),
    path("api/v1/", include("studies.accounts.api.urls")),
    path("api/v1/", include("studies.fieldwork.api.observations.urls")),
    path("api/v1/", include("studies.fieldwork.api.photos.urls")),
    path("api/v1/", include("studies.synthesis.api.urls")),
    path("api/v1/", include("studies.synthesis.search.urls")),
    path("api/v1/", include("studies.loop.api.urls")),
    path("", include("studies.scheduling.urls")),
    path("", include("studies.fieldwork.urls")),
    path("", include(auth_urlpatterns)),
    path("", include("frontend.urls")),
]

# No route serves MEDIA_ROOT as it is, in any mode, the demo included: photos go out only
# through the photo-file view, which checks who asks and the household's consent, and the
# chunks of unfinished uploads never go out at all.
