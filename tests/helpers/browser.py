"""A test client that posts the way a browser does."""

from flask.testing import FlaskClient

from tests.helpers.html import csrf_token_in


class Browser:
    """A test client that posts forms with its session's CSRF token, as a browser does."""

    def __init__(self, client: FlaskClient):
        self.client = client
        self._token: str | None = None

    @property
    def csrf_token(self) -> str:
        if self._token is None:
            self._token = csrf_token_in(self.client.get("/create").get_data(as_text=True))
        return self._token

    def get(self, url: str, **kwargs):
        return self.client.get(url, **kwargs)

    def post(self, url: str, data: dict | None = None, **kwargs):
        return self.client.post(url, data={"csrf_token": self.csrf_token, **(data or {})}, **kwargs)


def browser_of(app, address: str = "127.0.0.1") -> Browser:
    """A new browser (its own cookies) on the app, whose requests come from the address."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return Browser(client)
