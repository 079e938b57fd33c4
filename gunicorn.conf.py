"""gunicorn settings; ANIWORLD_BIND and ANIWORLD_WEB_WORKERS override the defaults."""

import os

bind = os.environ.get("ANIWORLD_BIND", "0.0.0.0:8000")
# Threads suit many idle polling tabs on a 2-core home server better than more processes.
worker_class = "gthread"
workers = int(os.environ.get("ANIWORLD_WEB_WORKERS", "2"))
threads = 4
timeout = 60
graceful_timeout = 20
accesslog = "-"
