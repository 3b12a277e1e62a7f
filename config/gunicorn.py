"""gunicorn settings for the production image (``gunicorn -c config/gunicorn.py``).

The access log leaves out the query string and the referrer: search terms travel as ``?q=`` and
participants' words must not land in logs (see docs/production.md, "Privacy in logs").
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
timeout = 120
accesslog = "-"
# %(U)s is the path without the query; %(r)s, %(q)s and %(f)s (referrer) are deliberately absent.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(L)ss "%(a)s"'
