from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from frontend.urls import auth_urlpatterns
from studies.common.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("studies.scheduling.api.urls")),
    path("api/v1/", include("studies.fieldwork.api.observations.urls")),
    path("api/v1/", include("studies.fieldwork.api.photos.urls")),
    path("api/v1/", include("studies.synthesis.api.urls")),
    path("api/v1/", include("studies.synthesis.search.urls")),
    path("", include("studies.scheduling.urls")),
    path("", include("studies.fieldwork.urls")),
    path("", include(auth_urlpatterns)),
    path("", include("frontend.urls")),
]

if settings.DEBUG:
    # The laptop demo only. Deployments serve media through storage (and, with the access
    # issue, through an authorising view), never from Django's static helper.
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
