"""Read-only admin: the history of the knowledge base is written only by its services and
kept forever; the admin is for looking (who wrote, who approved, who read)."""

from django.contrib import admin

from sgu.core.admin import ReadOnlyAdmin
from sgu.knowledge.models import Article, ArticleVersion, ReadConfirmation


class VersionInline(admin.TabularInline):
    model = ArticleVersion
    fields = (
        "number",
        "status",
        "question",
        "valid_from",
        "valid_to",
        "written_by",
        "reviewed_by",
        "reviewed_at",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(ReadOnlyAdmin):
    list_display = ("code", "created_at", "created_by")
    inlines = [VersionInline]


@admin.register(ArticleVersion)
class ArticleVersionAdmin(ReadOnlyAdmin):
    list_display = (
        "article",
        "number",
        "status",
        "category",
        "question",
        "valid_from",
        "valid_to",
        "written_by",
        "reviewed_by",
        "reviewed_at",
    )
    list_filter = ("status", "category")
    search_fields = ("question", "answer", "category")
    list_select_related = ("article", "written_by", "reviewed_by")
    exclude = ("search_text",)


@admin.register(ReadConfirmation)
class ReadConfirmationAdmin(ReadOnlyAdmin):
    list_display = ("version", "user", "confirmed_at")
    list_select_related = ("version__article", "user")
    date_hierarchy = "confirmed_at"
