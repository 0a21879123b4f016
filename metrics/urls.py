"""The health probes at the site's root, ``/health`` and ``/health/ready``: outside the API's version,
since load balancers and orchestrators are configured once and for all.

They stay DRF (a viewset, not plain Django views) so that they are documented in the OpenAPI schema
with the rest of the API and answer JSON the same way; they take no credentials.
"""

from core.routers import Router
from metrics.api.views import HealthViewSet

router = Router()
router.register("health", HealthViewSet, basename="health")

urlpatterns = router.urls
