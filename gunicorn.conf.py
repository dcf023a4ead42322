"""Gunicorn settings for serving Skedjit (the bind address comes from build.sh)."""

# Two processes of eight threads each: event pages keep being served on the
# other threads while one thread hashes a password (bcrypt releases the GIL).
workers = 2
worker_class = "gthread"
threads = 8
keepalive = 5
timeout = 30
graceful_timeout = 10
accesslog = "-"
errorlog = "-"
control_socket_disable = True  # several instances (tests, benchmark) may run at once
