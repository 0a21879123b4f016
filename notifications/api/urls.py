"""Routes of notifications: the list, unread-count, read, preferences and unsubscribe."""

from core.routers import Router
from notifications.api.views import NotificationViewSet

router = Router()
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = router.urls
