"""Error pages: every status uses the base layout and never shows a traceback."""

import pytest


def test_unknown_route_is_a_404_page(client):
    response = client.get("/no/such/page")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in html
    assert 'class="site-header"' in html


@pytest.mark.parametrize(
    ("method", "path"),
    [("PUT", "/create"), ("DELETE", "/"), ("POST", "/"), ("PATCH", "/create")],
)
def test_wrong_method_is_a_405_page(client, method, path):
    response = client.open(path, method=method)
    assert response.status_code == 405
    assert "Allow" in response.headers
    assert "<h1>Not allowed here</h1>" in response.get_data(as_text=True)


def test_server_error_is_a_500_page_without_traceback(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/explode")
    def explode():
        raise RuntimeError("secret internals")

    response = client.get("/explode")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong on our side" in html
    assert "secret internals" not in html
    assert "Traceback" not in html
