"""/api/v1/… resources and actions, /api/schema/ (OpenAPI 3) and /api/docs/ (Swagger UI).

Trailing slashes are optional everywhere: /api/v1/execute and /api/v1/execute/ both work.
"""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from requests_app.api import deletes, diffs, examples, interop, lockouts, monitors, runs, search, teams, views

router = SimpleRouter()
router.trailing_slash = "/?"  # the constructor only knows "/" or ""; this makes the slash optional
router.register("workspaces", views.WorkspaceViewSet, basename="workspace")
router.register("collections", views.CollectionViewSet, basename="collection")
router.register("folders", views.FolderViewSet, basename="folder")
router.register("requests", views.SavedRequestViewSet, basename="request")
router.register("environments", views.EnvironmentViewSet, basename="environment")
router.register("history", views.HistoryViewSet, basename="history")
router.register("cookies", views.CookieViewSet, basename="cookie")
router.register("runs", runs.RunViewSet, basename="run")
router.register("monitors", monitors.MonitorViewSet, basename="monitor")

app_name = "api"

urlpatterns = [
    re_path(r"^v1/execute/?$", views.ExecuteView.as_view(), name="execute"),
    re_path(r"^v1/invitations/accept/?$", teams.InvitationAcceptView.as_view(), name="invitation-accept"),
    re_path(r"^v1/import/?$", interop.ImportView.as_view(), name="import"),
    re_path(r"^v1/search/?$", search.SearchView.as_view(), name="search"),
    re_path(r"^v1/deletes/(?P<pk>[^/.]+)/?$", deletes.DeleteJobView.as_view(), name="delete-detail"),
    re_path(r"^v1/lockouts/?$", lockouts.LockoutListView.as_view(), name="lockouts"),
    re_path(r"^v1/lockouts/unlock/?$", lockouts.LockoutUnlockView.as_view(), name="lockout-unlock"),
    re_path(r"^v1/collections/(?P<pk>[^/.]+)/export/?$", interop.CollectionExportView.as_view(), name="collection-export"),
    re_path(r"^v1/requests/(?P<pk>[^/.]+)/snippet/?$", interop.RequestSnippetView.as_view(), name="request-snippet"),
    # before the router: "history/har" would otherwise read as the history entry with id "har"
    re_path(r"^v1/history/har/?$", interop.HistorySelectionHarView.as_view(), name="history-har-selection"),
    re_path(r"^v1/history/(?P<pk>[^/.]+)/har/?$", interop.HistoryHarView.as_view(), name="history-har"),
    re_path(r"^v1/requests/(?P<pk>[^/.]+)/examples/?$", examples.RequestExamplesView.as_view(), name="request-examples"),
    re_path(r"^v1/examples/(?P<pk>[^/.]+)/?$", examples.ExampleView.as_view(), name="example-detail"),
    re_path(r"^v1/collections/(?P<pk>[^/.]+)/mock/?$", examples.CollectionMockView.as_view(), name="collection-mock"),
    re_path(r"^v1/collections/(?P<pk>[^/.]+)/mock/token/?$", examples.CollectionMockTokenView.as_view(),
            name="collection-mock-token"),
    re_path(r"^v1/history/diff/?$", diffs.HistoryDiffView.as_view(), name="history-diff"),
    re_path(r"^v1/requests/(?P<pk>[^/.]+)/diff-previous/?$", diffs.RequestDiffPreviousView.as_view(),
            name="request-diff-previous"),
    re_path(r"^v1/requests/(?P<pk>[^/.]+)/diff-environments/?$", diffs.RequestDiffEnvironmentsView.as_view(),
            name="request-diff-environments"),
    re_path(r"^v1/requests/(?P<pk>[^/.]+)/diff-ignore/?$", diffs.RequestDiffIgnoreView.as_view(),
            name="request-diff-ignore"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
