from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    # /api/v1/ resources, /api/schema/ (OpenAPI 3), /api/docs/ (Swagger UI)
    path("api/", include("api.urls", namespace="api")),
]
