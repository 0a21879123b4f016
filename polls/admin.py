from django.contrib import admin

from polls.models import Poll, PollOption, PollVote


class PollOptionInline(admin.TabularInline):
    model = PollOption
    extra = 0


@admin.register(Poll)
class PollAdmin(admin.ModelAdmin):
    list_display = ("id", "created_at", "expires_at")
    list_filter = ("expires_at",)
    search_fields = ("options__text",)
    inlines = [PollOptionInline]


@admin.register(PollVote)
class PollVoteAdmin(admin.ModelAdmin):
    list_display = ("poll", "option", "user", "created_at")
    search_fields = ("user__username", "option__text")
    list_filter = ("created_at",)
    raw_id_fields = ("poll", "option", "user")


@admin.register(PollOption)
class PollOptionAdmin(admin.ModelAdmin):
    list_display = ("text", "poll", "position")
    search_fields = ("text",)
    raw_id_fields = ("poll",)
