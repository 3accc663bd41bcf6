from django.urls import include, path

urlpatterns = [
    path("echo/", include("requests_app.playground_urls")),
    path("api/", include("requests_app.api.urls")),
    path("", include("requests_app.urls")),
]

# A database that cannot be reached answers 503 (page or API error), not a bare 500.
handler500 = "webclient.observability.server_error"
