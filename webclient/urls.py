from django.urls import include, path

from requests_app.views.mock import mock_call

urlpatterns = [
    path("echo/", include("requests_app.playground_urls")),
    path("api/", include("requests_app.api.urls")),
    path("mock/<str:key>/", mock_call, name="mock_root"),
    path("mock/<str:key>/<path:path>", mock_call, name="mock_call"),
    path("", include("requests_app.urls")),
]

# A database that cannot be reached answers 503 (page or API error), not a bare 500.
handler500 = "webclient.observability.server_error"
