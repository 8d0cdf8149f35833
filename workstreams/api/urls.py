from rest_framework.routers import SimpleRouter

from workstreams.api import views

router = SimpleRouter()
router.register("workstreams", views.WorkstreamViewSet)
router.register("milestones", views.MilestoneViewSet)
router.register("measures", views.MeasureViewSet)
router.register("readings", views.ReadingViewSet)
router.register("status-updates", views.StatusUpdateViewSet)
router.register("budget-lines", views.BudgetLineViewSet)

urlpatterns = router.urls
