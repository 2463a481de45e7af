from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

admin.site.site_header = "Claimdesk"
admin.site.site_title = "Claimdesk"
admin.site.index_title = "Workbench"
admin.site.site_url = "/reviews/"  # "View site": what the team has published

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
    # public, read-only: published verdicts with their ClaimReview JSON-LD
    path("reviews/", include("claims.public_urls")),
]
