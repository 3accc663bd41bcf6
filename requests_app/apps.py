from django.apps import AppConfig


class RequestsAppConfig(AppConfig):
    name = "requests_app"
    verbose_name = "webclient"
    default_auto_field = "django.db.models.BigAutoField"
