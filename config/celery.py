import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("focusgroups")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The app every layer reaches as celery.current_app (the job machinery names no project module).
app.set_default()
