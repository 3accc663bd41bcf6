"""Everything under /echo/ goes to the playground (included from webclient/urls.py)."""

from django.urls import re_path

from requests_app.views.echo import echo

app_name = "echo"

urlpatterns = [
    re_path(r"^(?P<rest>.*)$", echo, name="playground"),
]
