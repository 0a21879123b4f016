"""Routes of moderation: reports."""

from core.routers import Router
from moderation.api.views import ReportViewSet

router = Router()
router.register("reports", ReportViewSet, basename="report")

urlpatterns = router.urls
