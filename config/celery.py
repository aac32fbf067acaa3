"""The Celery app. Configuration comes from Django settings (the CELERY_ prefix).

Run a worker with `celery -A config worker` and the scheduler with `celery -A config beat`.
"""

import os

from celery import Celery

# Set before the app is made: Celery installs its Django fixup only when it sees this variable,
# and the fixup is what gives every task `delay_on_commit`.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("yrkesporten")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
