"""The metrics app's API: error logs (``errors``) and the staff metrics (``metrics``)."""

from metrics.api import errors, stats

urlpatterns = [*errors.urlpatterns, *stats.urlpatterns]
