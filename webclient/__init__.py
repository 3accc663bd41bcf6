# Celery is optional at import time: local mode runs without a broker.
try:
    from webclient.celery import app as celery_app
except ImportError:  # pragma: no cover - celery is in requirements.txt
    celery_app = None

__all__ = ["celery_app"]
