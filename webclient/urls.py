from django.urls import include, path

urlpatterns = [
    path("echo/", include("requests_app.playground_urls")),
    path("api/", include("requests_app.api.urls")),
    path("", include("requests_app.urls")),
]
