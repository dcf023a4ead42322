"""The WSGI entry point: gunicorn serves `wsgi:app`, `flask --app wsgi` manages it."""

from skedjit import create_app

app = create_app()
