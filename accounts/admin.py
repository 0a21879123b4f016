from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm

from accounts.models import User, UserInterest, UserSession
from accounts.services.auth import refresh_tokens_revoke_all


class PageShareUserCreationForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("email", "username")


class PageShareUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class PageShareAdminPasswordChangeForm(AdminPasswordChangeForm):
    """Staff setting a member's password signs the member out everywhere, as a reset does."""

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=commit)
        if commit:
            # Their access tokens carry the old password's stamp and are refused already.
            refresh_tokens_revoke_all(user=user)
        return user


class UserInterestInline(admin.TabularInline):
    model = UserInterest
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = PageShareUserChangeForm
    add_form = PageShareUserCreationForm
    change_password_form = PageShareAdminPasswordChangeForm
    list_display = ("username", "email", "display_name", "country", "onboarded", "is_active", "is_staff", "created_at")
    list_filter = ("is_active", "is_staff", "onboarded", "country")
    search_fields = ("username", "email", "display_name")
    ordering = ("-created_at",)
    readonly_fields = ("created_at", "last_login", "last_active_at", "signup_ip_hash", "external_subject")
    inlines = [UserInterestInline]
    fieldsets = (
        (None, {"fields": ("email", "username", "password")}),
        ("Profile", {"fields": ("display_name", "bio", "profile_picture", "timezone", "country", "settings")}),
        ("Status", {"fields": ("onboarded", "is_active", "suspended_at", "suspension_reason")}),
        ("Permissions", {"fields": ("is_staff", "is_superuser", "groups", "user_permissions")}),
        (
            "Activity",
            {"fields": ("created_at", "last_login", "last_active_at", "signup_ip_hash", "external_subject")},
        ),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "username", "password1", "password2")}),)


@admin.register(UserInterest)
class UserInterestAdmin(admin.ModelAdmin):
    list_display = ("interest", "user", "created_at")
    search_fields = ("interest", "user__username")
    list_filter = ("interest",)
    raw_id_fields = ("user",)


@admin.register(UserSession)
class UserSessionAdmin(admin.ModelAdmin):
    list_display = ("user", "started_at", "last_seen_at", "request_count", "user_agent")
    search_fields = ("user__username",)
    list_filter = ("started_at",)
    raw_id_fields = ("user",)
    date_hierarchy = "started_at"
