"""The Django admin for boards, their elements and their op log (read mostly)."""

from django.contrib import admin

from .models import Board, BoardElement, BoardOp


@admin.register(Board)
class BoardAdmin(admin.ModelAdmin):
    list_display = ("id", "title", "seq", "updated_at")
    search_fields = ("title",)
    readonly_fields = ("seq", "lanes", "created_at", "updated_at")


@admin.register(BoardElement)
class BoardElementAdmin(admin.ModelAdmin):
    list_display = ("board", "element_id", "type", "lane", "version", "is_deleted", "updated_seq")
    list_filter = ("type", "lane", "is_deleted")
    raw_id_fields = ("board",)


@admin.register(BoardOp)
class BoardOpAdmin(admin.ModelAdmin):
    list_display = ("board", "seq", "op_id", "author", "created_at")
    raw_id_fields = ("board", "author")
