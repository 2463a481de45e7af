from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

urlpatterns = [
    # The log's admin pages moved with its model to the eventlog app: old links still work.
    re_path(
        r"^admin/dossiers/event/(?P<rest>.*)$",
        RedirectView.as_view(
            url="/admin/eventlog/event/%(rest)s", permanent=True, query_string=True
        ),
    ),
    path("admin/", admin.site.urls),
    # /api/v1/ resources, /api/schema/ (OpenAPI 3), /api/docs/ (Swagger UI)
    path("api/", include("api.urls", namespace="api")),
]
