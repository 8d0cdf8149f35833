from rest_framework.routers import SimpleRouter

from programmes.api import views

router = SimpleRouter()
router.register("programmes", views.ProgrammeViewSet)
router.register("areas", views.ProgrammeAreaViewSet)
router.register("reporting-periods", views.ReportingPeriodViewSet)

urlpatterns = router.urls
