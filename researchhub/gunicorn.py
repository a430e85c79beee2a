"""gunicorn configuration, read with `--config python:researchhub.gunicorn`.

Every value comes from the environment, through the same typed readers as the settings,
so a malformed GUNICORN_* variable stops gunicorn at start-up with the variable's name.
"""

from researchhub.env import env_int, env_str

bind = env_str("GUNICORN_BIND", "0.0.0.0:8000")
workers = env_int("GUNICORN_WORKERS", 3)
threads = env_int("GUNICORN_THREADS", 2)
timeout = env_int("GUNICORN_TIMEOUT", 60)
graceful_timeout = env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
accesslog = "-"
errorlog = "-"
