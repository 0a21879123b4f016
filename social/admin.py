from django.contrib import admin

from social.models import Block, Follow, Mute


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ("follower", "following", "created_at")
    search_fields = ("follower__username", "following__username")
    list_filter = ("created_at",)
    raw_id_fields = ("follower", "following")


@admin.register(Mute)
class MuteAdmin(admin.ModelAdmin):
    list_display = ("user", "target", "created_at")
    search_fields = ("user__username", "target__username")
    list_filter = ("created_at",)
    raw_id_fields = ("user", "target")


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    list_display = ("user", "target", "created_at")
    search_fields = ("user__username", "target__username")
    list_filter = ("created_at",)
    raw_id_fields = ("user", "target")
