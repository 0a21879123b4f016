from accounts.api.views import AuthViewSet, MeViewSet
from core.routers import Router

router = Router()
router.register("auth", AuthViewSet, basename="auth")
router.register("users", MeViewSet, basename="users")

urlpatterns = router.urls
