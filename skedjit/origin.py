"""Where the site is reached from: trusted proxies, or a fixed public origin."""

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


class FixedScheme:
    """Make every request carry the configured public scheme (e.g. https behind a proxy)."""

    def __init__(self, wsgi_app, scheme: str):
        self.wsgi_app = wsgi_app
        self.scheme = scheme

    def __call__(self, environ, start_response):
        environ["wsgi.url_scheme"] = self.scheme
        return self.wsgi_app(environ, start_response)


def init_app(app: Flask) -> None:
    """Trust TRUSTED_PROXIES proxies' X-Forwarded-* headers; else honour SERVER_NAME's scheme."""
    if proxies := app.config["TRUSTED_PROXIES"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    elif app.config["SERVER_NAME"]:
        app.wsgi_app = FixedScheme(app.wsgi_app, app.config["PREFERRED_URL_SCHEME"])
