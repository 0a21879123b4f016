from django.urls import path

from content.api import views

urlpatterns = [
    path("users/me/watchlist", views.WatchlistView.as_view(), name="watchlist"),
    path("users/me/watchlist/<str:symbol>", views.WatchlistItemView.as_view(), name="watchlist-item"),
]
