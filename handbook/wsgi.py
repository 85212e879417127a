"""WSGI entry point, e.g. `granian --interface wsgi handbook.wsgi:application`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "handbook.settings.production")
application = get_wsgi_application()
