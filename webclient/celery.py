"""Celery application for team mode (`celery -A webclient worker`).

Without CELERY_BROKER_URL the app is configured but never used: local mode runs
background work in an in-process thread pool (requests_app.services.background).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webclient.settings")

app = Celery("webclient")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
