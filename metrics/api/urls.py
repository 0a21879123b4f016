"""Routes of the metrics app's API: error logs (``errors``, ``errors/log``) and the staff metrics (``metrics/*``)."""

from core.routers import Router
from metrics.api.views import ErrorLogViewSet, ErrorReportViewSet, MetricsViewSet

router = Router()
router.register("errors/log", ErrorReportViewSet, basename="errors-log")
router.register("errors", ErrorLogViewSet, basename="errors")
router.register("metrics", MetricsViewSet, basename="metrics")

urlpatterns = router.urls
