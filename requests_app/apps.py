from django.apps import AppConfig


class RequestsAppConfig(AppConfig):
    name = "requests_app"
    verbose_name = "webclient"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from requests_app import signals  # noqa: F401  (connects the receivers)
