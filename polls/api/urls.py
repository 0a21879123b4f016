"""Poll routes: ``polls/{id}/votes`` and ``polls/{id}/results``."""

from core.routers import Router
from polls.api.views import PollViewSet

router = Router()
router.register("polls", PollViewSet, basename="poll")

urlpatterns = router.urls
