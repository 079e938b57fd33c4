"""gunicorn settings; ANIWORLD_BIND and ANIWORLD_WEB_WORKERS override the defaults."""

import os

bind = os.environ.get("ANIWORLD_BIND", "0.0.0.0:8000")
# Threads suit many idle polling tabs on a 2-core home server better than more processes.
worker_class = "gthread"
workers = int(os.environ.get("ANIWORLD_WEB_WORKERS", "2"))
threads = 4
timeout = 60
graceful_timeout = 20
# Pages poll every 2 s: a keep-alive equal to that closes the connection just as the next
# poll is sent ("Remote end closed connection without response"). Idle keep-alive
# connections wait in the gthread poller, not in a thread, so a long one costs no thread;
# worker_connections caps how many each worker holds.
keepalive = 75
worker_connections = 1000
# gunicorn 25+ opens a control socket shared by every instance of the user
# ($HOME/.gunicorn/gunicorn.ctl); Aniworld does not use gunicornc, so none is opened.
control_socket_disable = True
accesslog = "-"
# gunicorn's default format, with the path (%(U)s) instead of the request line (%(r)s):
# Sonarr and Prowlarr send the API key in the query string (/torznab/api?...&apikey=...).
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(f)s" "%(a)s"'
