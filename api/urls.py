"""`/api/v1/` resources, the OpenAPI schema and its Swagger UI; JSON 404 for the rest."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from api.errors import endpoint_not_found
from api.views.claims import ClaimViewSet, ClusterViewSet
from api.views.dossiers import ArticleViewSet, DossierViewSet, SourceViewSet
from api.views.events import EventViewSet, WebhookViewSet
from api.views.search import SearchViewSet
from api.views.teams import MemberViewSet, TeamViewSet
from api.views.tokens import TokenViewSet
from api.views.verdicts import VerdictViewSet

app_name = "api"

router = SimpleRouter()
router.register("teams", TeamViewSet, basename="team")
router.register(r"teams/(?P<team_pk>[0-9a-fA-F-]{36})/members", MemberViewSet, basename="member")
router.register("dossiers", DossierViewSet, basename="dossier")
router.register("sources", SourceViewSet, basename="source")
router.register("articles", ArticleViewSet, basename="article")
router.register("claims", ClaimViewSet, basename="claim")
router.register("clusters", ClusterViewSet, basename="cluster")
router.register("verdicts", VerdictViewSet, basename="verdict")
router.register("events", EventViewSet, basename="event")
router.register("webhooks", WebhookViewSet, basename="webhook")
router.register("tokens", TokenViewSet, basename="token")
router.register("search", SearchViewSet, basename="search")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    re_path(r"^.*$", endpoint_not_found),
]
