from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from dossiers.models import Article, Dossier, Event, Membership, Source, Team


@admin.register(Team)
class TeamAdmin(SimpleHistoryAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "team", "role"]
    list_filter = ["role", "team"]
    search_fields = ["user__username", "team__name"]


@admin.register(Dossier)
class DossierAdmin(SimpleHistoryAdmin):
    list_display = ["title", "team", "status", "created_at"]
    list_filter = ["status", "team"]
    search_fields = ["title", "question"]


@admin.register(Source)
class SourceAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "domain", "reliability", "team"]
    list_filter = ["kind", "reliability", "team"]
    search_fields = ["name", "domain"]


@admin.register(Article)
class ArticleAdmin(SimpleHistoryAdmin):
    list_display = ["title", "dossier", "status", "author", "published_at", "uploaded_at"]
    list_filter = ["status", "dossier__team", "dossier"]
    search_fields = ["title", "author", "body"]
    readonly_fields = [f.name for f in Article._meta.fields]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["position", "type", "stream_type", "stream_id", "stream_version", "recorded_at"]
    list_filter = ["type", "stream_type"]
    search_fields = ["stream_id", "type"]
    readonly_fields = [f.name for f in Event._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
