from rest_framework.routers import SimpleRouter

from risks.api import views

router = SimpleRouter()
router.register("risks", views.RiskViewSet)
router.register("issues", views.IssueViewSet)
router.register("decisions", views.DecisionViewSet)
router.register("board-meetings", views.BoardMeetingViewSet)

urlpatterns = router.urls
