"""Routes of the social graph: users/{id} (profiles, follow, mute, block, the follower lists) and content-filters."""

from core.routers import Router
from social.api.views import ContentFilterViewSet, UserViewSet

router = Router()
router.register("users", UserViewSet, basename="user")
router.register("content-filters", ContentFilterViewSet, basename="content-filters")

urlpatterns = router.urls
