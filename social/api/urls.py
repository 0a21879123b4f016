"""Every social route; each module of this package keeps its own ``urlpatterns``."""

from django.urls import path

from social.api import graph, views

urlpatterns = [
    path("users/<int:user_id>", views.UserDetailView.as_view(), name="user-detail"),
    path("users/by-username/<str:username>", views.UserByUsernameView.as_view(), name="user-by-username"),
    *graph.urlpatterns,
]
