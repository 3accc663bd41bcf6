# The Celery app lives in webclient/celery.py and is imported where it is used
# (requests_app/tasks.py, which `celery -A webclient worker` loads): importing it here
# would cost every manage.py command ~0.15 s of start-up, run_collection in CI included.
