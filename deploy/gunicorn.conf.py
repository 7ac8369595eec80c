"""gunicorn settings for an app node: `gunicorn grassroots.wsgi -c deploy/gunicorn.conf.py`.

Sync workers: each handles one request at a time and holds at most one PostgreSQL connection,
so a node never opens more than GUNICORN_WORKERS connections (plan max_connections for every
node's workers, the task workers and the scheduler, plus a margin). When every worker is busy,
requests wait in a short backlog; past it, connections are refused and nginx tries the next
node, then answers 503 (deploy/nginx/grassroots.conf). Requests that waited too long are shed
with 503 by grassroots.availability.ShedStaleRequestsMiddleware.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
workers = int(os.environ.get("GUNICORN_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
worker_class = "sync"
# A small queue: better a quick 503 from nginx than a long silent wait.
backlog = int(os.environ.get("GUNICORN_BACKLOG", "64"))
# Longer than PostgreSQL's statement_timeout (30 s), so the database cancels a slow statement
# (rolled back, 503) before gunicorn kills a worker mid-request.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak never grows without bound.
max_requests = 5000
max_requests_jitter = 500
# Only the proxy on this machine may say the request came over HTTPS.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
limit_request_line = 8190
limit_request_fields = 100
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
