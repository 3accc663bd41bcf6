"""A small, separate Django project: django-oauth-toolkit as a real OAuth 2.0 provider for the tests.

Run by tests/fixtures/oauth_provider.py as its own process (serve.py) on 127.0.0.1, port 0.
Nothing of webclient is imported here.
"""

import os

SECRET_KEY = "oauth-provider-for-tests-only"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    "oauth2_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "tests.oauth_provider.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [os.path.join(os.path.dirname(__file__), "templates")],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["OAUTH_PROVIDER_DB"]}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
STATIC_URL = "/static/"
LOGIN_URL = "/accounts/login/"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; test accounts only
USE_TZ = True
OAUTH2_PROVIDER = {
    "SCOPES": {"read": "Read your things", "write": "Change your things"},
    "ACCESS_TOKEN_EXPIRE_SECONDS": int(os.environ.get("OAUTH_PROVIDER_TOKEN_SECONDS", "3600")),
    "PKCE_REQUIRED": True,
}
