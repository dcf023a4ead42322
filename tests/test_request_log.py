"""Request logs: one line per request with method, path, status and duration, never a secret."""

import logging
import re
import urllib.request
from datetime import UTC
from datetime import datetime

import pytest
from flask import Flask
from flask import url_for
from sqlalchemy.exc import IntegrityError

from skedjit import request_log
from skedjit.answers import service as rsvp_service
from skedjit.extensions import db
from skedjit.models import Event
from tests.helpers.forms import PASSWORD
from tests.helpers.forms import edit_fields
from tests.helpers.forms import event_form
from tests.helpers.html import csrf_token_in
from tests.helpers.served import Visitor
from tests.helpers.served import served_with_output
from tests.helpers.waiting import wait_until

LINE = re.compile(r"(?P<method>\S+) (?P<path>\S+) (?P<status>\d{3}) (?P<ms>\d+\.\d)ms")
SERVED_LINE = re.compile(
    r"\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}\] \[\d+\] \[INFO\] " + LINE.pattern
)
CHANGE_LINK = re.compile(r'class="private-link">https?://[^/]+/events/\w{6}/rsvp/([\w-]+)</a>')
NEW_PASSWORD = "a brand new secret"


@pytest.fixture
def request_lines(caplog):
    """Return a callable giving the request log's records so far."""
    caplog.set_level(logging.INFO, logger=request_log.logger.name)
    return lambda: [r for r in caplog.records if r.name == request_log.logger.name]


def only_line(records) -> logging.LogRecord:
    assert len(records) == 1, [r.getMessage() for r in records]
    return records[0]


def assert_line(record, method: str, path: str, status: int) -> None:
    """The record is the request line for this request, in its fields and its text."""
    assert (record.method, record.path, record.status) == (method, path, status)
    assert record.levelno == logging.INFO
    assert 0 <= record.duration_ms < 10_000
    match = LINE.fullmatch(record.getMessage())
    assert match, record.getMessage()
    assert (match["method"], match["path"], int(match["status"])) == (method, path, status)


def secrets_in(records, secrets: list[str]) -> list[str]:
    """The secrets that appear anywhere in the records: messages, fields or tracebacks."""
    texts = []
    for record in records:
        texts.append(record.getMessage())
        texts.extend(str(value) for value in vars(record).values())
        if record.exc_info:
            texts.append(logging.Formatter().formatException(record.exc_info))
    return [secret for secret in secrets if any(secret in text for text in texts)]


def test_a_page_view_is_logged_with_method_path_status_and_duration(
    client, make_event, request_lines
):
    slug = make_event()
    assert client.get(f"/events/{slug}").status_code == 200
    assert_line(only_line(request_lines()), "GET", f"/events/{slug}", 200)


def test_a_redirect_is_logged_as_303(browser, request_lines):
    response = browser.post("/create", data=event_form())
    assert response.status_code == 303
    assert_line(request_lines()[-1], "POST", "/create", 303)


@pytest.mark.parametrize("path", ["/events/zzzzzz", "/no/such/page"])
def test_an_unknown_page_is_logged_as_404(client, request_lines, path):
    assert client.get(path).status_code == 404
    assert_line(only_line(request_lines()), "GET", path, 404)


def test_a_wrong_method_is_logged_as_405(client, request_lines):
    assert client.delete("/").status_code == 405
    assert_line(only_line(request_lines()), "DELETE", "/", 405)


def explode_route(app: Flask, message: str = "secret internals") -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/explode")
    def explode():
        raise RuntimeError(message)


def test_a_server_error_is_logged_with_its_traceback_in_the_error_log_only(
    app, client, caplog, request_lines
):
    explode_route(app)
    response = client.get("/explode")
    assert response.status_code == 500
    assert_line(only_line(request_lines()), "GET", "/explode", 500)
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    error = only_line(errors)
    assert error.name == app.logger.name
    assert error.getMessage() == "Exception on /explode [GET]"
    assert error.exc_info[0] is RuntimeError
    assert "secret internals" in caplog.text
    assert "Traceback" in caplog.text
    html = response.get_data(as_text=True)
    assert "secret internals" not in html
    assert "Traceback" not in html


def test_an_exception_that_escapes_the_app_is_still_logged_as_500(app, client, request_lines):
    app.config["PROPAGATE_EXCEPTIONS"] = True  # as in tests: the exception reaches the caller

    @app.get("/explode")
    def explode():
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        client.get("/explode")
    assert_line(only_line(request_lines()), "GET", "/explode", 500)


def test_query_strings_are_never_logged(client, make_event, caplog, request_lines):
    slug = make_event()
    client.get(f"/events/{slug}?password=hunter22&token=abc")
    assert_line(only_line(request_lines()), "GET", f"/events/{slug}", 200)
    assert "hunter22" not in caplog.text
    assert "token=" not in caplog.text


@pytest.mark.parametrize(
    ("path_info", "logged"),
    [
        ("/events/\r\nINFO forged line", "/events/%0D%0AINFO%20forged%20line"),
        ("/caf\xc3\xa9", "/caf%C3%A9"),  # UTF-8 bytes, as WSGI hands them over
        ("/\xff\xfe", "/%FF%FE"),  # not UTF-8 at all
        ("/a\x00b", "/a%00b"),
    ],
)
def test_paths_are_logged_percent_encoded_on_one_line(client, request_lines, path_info, logged):
    client.get("/", environ_overrides={"PATH_INFO": path_info})
    record = only_line(request_lines())
    assert record.path == logged
    assert "\n" not in record.getMessage()
    assert "\r" not in record.getMessage()


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/events/abcdef/rsvp/SeCrEt-tok_en", "/events/abcdef/rsvp/…"),
        ("/events/abcdef/rsvp/SeCrEt-tok_en/", "/events/abcdef/rsvp/…"),
        ("/events/abcdef/rsvp//SeCrEt-tok_en", "/events/abcdef/rsvp/…"),
        ("/events/abcdef/RSVP/SeCrEt-tok_en", "/events/abcdef/RSVP/…"),
        ("/events/abcdef/rsvp/withdraw/SeCrEt-tok_en", "/events/abcdef/rsvp/…"),
        ("/events/abcdef/rsvp/withdraw", "/events/abcdef/rsvp/withdraw"),
        ("/events/abcdef/unsubscribe/MQ.SiGnEd-tok_en", "/events/abcdef/unsubscribe/…"),
        ("/events/abcdef/unsubscribe", "/events/abcdef/unsubscribe"),
        ("/events/abcdef/reminders/MQ.SiGnEd-tok_en", "/events/abcdef/reminders/…"),
        ("/events/abcdef/recover/pRiVaTe-tok_en", "/events/abcdef/recover/…"),
        ("/events/abcdef/vote/SeCrEt-tok_en", "/events/abcdef/vote/…"),
        ("/events/abcdef/vote", "/events/abcdef/vote"),
        ("/events/abcdef/rsvp", "/events/abcdef/rsvp"),
        ("/events/abcdef", "/events/abcdef"),
    ],
)
def test_the_secret_in_an_answer_or_unsubscribe_path_is_hidden(client, request_lines, path, logged):
    client.get(path)
    assert only_line(request_lines()).path == logged
    assert "SeCrEt" not in only_line(request_lines()).getMessage()
    assert "pRiVaTe" not in only_line(request_lines()).getMessage()


def test_every_route_with_a_token_in_its_path_is_hidden(app):
    secret = "Zq9secretTokenValue_-x"
    checked = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if not any("token" in name for name in rule.arguments):
                continue
            values = {name: secret if "token" in name else "abcdef" for name in rule.arguments}
            path = url_for(rule.endpoint, **values)
            assert secret not in request_log.loggable_path(path), path
            checked.append(rule.rule)
    assert checked, "no route carries a token in its path any more: update this test"


def test_nothing_is_logged_when_the_level_is_above_info(client, caplog):
    caplog.set_level(logging.WARNING, logger=request_log.logger.name)
    client.get("/")
    assert not [r for r in caplog.records if r.name == request_log.logger.name]


def test_without_logging_set_up_lines_go_to_standard_error(monkeypatch, capsys):
    root, logger = logging.getLogger(), request_log.logger
    monkeypatch.setattr(root, "handlers", [])
    monkeypatch.setattr(logger, "handlers", [])
    monkeypatch.setattr(logger, "propagate", True)
    app = Flask("bare")
    app.get("/")(lambda: "hello")
    request_log.init_app(app)
    app.test_client().get("/")

    assert logger.propagate is False  # not a second time through the app's logger
    error_output = capsys.readouterr().err.splitlines()
    assert len(error_output) == 1
    assert SERVED_LINE.fullmatch(error_output[0]), error_output


def test_no_password_csrf_token_cookie_or_answer_token_is_ever_logged(
    app, make_browser, caplog, request_lines
):
    caplog.set_level(logging.DEBUG)
    owner = make_browser()
    created = owner.post("/create", data=event_form())
    assert created.status_code == 303
    slug = created.headers["Location"].rsplit("/", 1)[1]

    editor = make_browser()  # no owner access: types the password
    fields = edit_fields(password=PASSWORD, title="Moved", new_password=NEW_PASSWORD)
    fields["new_password_confirm"] = NEW_PASSWORD
    edited = editor.post(f"/events/{slug}/edit", data=fields)
    assert edited.status_code == 303, edited.get_data(as_text=True)

    friend = make_browser()
    answer = {"name": "Ana", "response": "yes", "guests": "0", "note": "see you"}
    assert friend.post(f"/events/{slug}/rsvp", data=answer).status_code == 303
    page = friend.get(f"/events/{slug}").get_data(as_text=True)
    token = CHANGE_LINK.search(page)[1]
    assert friend.get(f"/events/{slug}/rsvp/{token}").status_code == 200
    other = make_browser()
    changed = other.post(f"/events/{slug}/rsvp", data=answer | {"token": token, "name": "Ana B"})
    assert changed.status_code == 303
    withdrawn = other.post(f"/events/{slug}/rsvp/withdraw", data={"token": token})
    assert withdrawn.status_code == 303
    assert friend.get(f"/events/{slug}/rsvp/{token}").status_code == 404

    cookies = [
        browser.client.get_cookie(name, path=path)
        for browser in (owner, editor, friend)
        for name, path in (("session", "/"), (f"rsvp-{slug}", f"/events/{slug}"))
    ]
    secrets = [PASSWORD, NEW_PASSWORD, token]
    secrets += [browser.csrf_token for browser in (owner, editor, friend, other)]
    secrets += [cookie.value for cookie in cookies if cookie is not None]
    assert len(secrets) >= 9  # both kinds of cookie were set
    assert secrets_in(caplog.records, secrets) == []
    for secret in secrets:
        assert secret not in caplog.text

    logged = [(r.method, r.path, r.status) for r in request_lines()]
    assert ("POST", f"/events/{slug}/edit", 303) in logged
    assert ("GET", f"/events/{slug}/rsvp/…", 200) in logged
    assert ("GET", f"/events/{slug}/rsvp/…", 404) in logged
    assert ("POST", f"/events/{slug}/rsvp/withdraw", 303) in logged


def test_a_server_error_on_a_token_path_hides_the_token_in_the_error_log(
    app, browser, make_event, caplog, monkeypatch
):
    slug = make_event()
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def broken(*_args):
        raise RuntimeError("the database fell over")

    monkeypatch.setattr(rsvp_service, "find_rsvp", broken)
    token = "Zq9secretTokenValue_-x"
    assert browser.get(f"/events/{slug}/rsvp/{token}").status_code == 500
    error = only_line([r for r in caplog.records if r.levelno == logging.ERROR])
    assert error.getMessage() == f"Exception on /events/{slug}/rsvp/… [GET]"
    assert token not in caplog.text


# -- served -------------------------------------------------------------------------


def page_token(visitor: Visitor, path: str) -> str:
    page = visitor.get(path)
    assert page.status == 200, page.body
    return csrf_token_in(page.body)


def cookie_values(visitor: Visitor) -> list[str]:
    (jar,) = [
        handler.cookiejar
        for handler in visitor.opener.handlers
        if isinstance(handler, urllib.request.HTTPCookieProcessor)
    ]
    return [cookie.value for cookie in jar]


@pytest.mark.served
@pytest.mark.one_backend  # the log line is the same whatever the database
def test_served_app_writes_one_line_per_request_to_stderr_and_no_secret(empty_database_url):
    with served_with_output(empty_database_url) as (base_url, output):
        owner = Visitor(base_url)
        create_token = page_token(owner, "/create")
        created = owner.request("/create", {"csrf_token": create_token, **event_form()})
        assert created.status == 303, created.body
        slug = created.location_path.rsplit("/", 1)[1]

        friend = Visitor(base_url)
        assert friend.get(f"/events/{slug}").status == 200
        answer = {"name": "Ana", "response": "yes", "guests": "0"}
        assert friend.request(f"/events/{slug}/rsvp", answer).status == 303
        token = CHANGE_LINK.search(friend.get(f"/events/{slug}").body)[1]
        assert friend.get(f"/events/{slug}/rsvp/{token}").status == 200
        assert friend.get(f"/events/{slug}/rsvp/{token}/").status == 404
        assert friend.get("/no/such/page?token=query-secret").status == 404
        secrets = [PASSWORD, token, create_token, "query-secret"]
        secrets += cookie_values(owner) + cookie_values(friend)
        # honcho passes the web process's lines on as they come: wait for the last one.
        wait_until(lambda: "/no/such/page " in output.read_text(errors="replace"), 10)
        text = output.read_text(errors="replace")

    assert len(secrets) >= 6  # the owner's session cookie, the friend's answer cookie
    for secret in secrets:
        assert secret not in text
    assert "HTTP/1.1" not in text  # gunicorn's own access log is off
    lines = [m.groups() for m in map(SERVED_LINE.fullmatch, text.splitlines()) if m]
    logged = [(method, path, int(status)) for method, path, status, _ms in lines]
    assert logged == [
        ("GET", "/create", 200),
        ("POST", "/create", 303),
        ("GET", f"/events/{slug}", 200),
        ("POST", f"/events/{slug}/rsvp", 303),
        ("GET", f"/events/{slug}", 200),
        ("GET", f"/events/{slug}/rsvp/…", 200),
        ("GET", f"/events/{slug}/rsvp/…", 404),
        ("GET", "/no/such/page", 404),
    ]


def test_a_database_error_never_carries_what_was_typed(app, make_event):
    slug = make_event()
    duplicate = Event.__table__.insert().values(
        slug=slug,
        title="SECRET TITLE",
        starts_at=datetime(2026, 7, 10, 10, tzinfo=UTC),
        timezone="UTC",
        location="",
        description="SECRET DESCRIPTION",
        password_hash="$2b$04$SECRETHASH",
        password_version=1,
        version=1,
    )
    with app.app_context(), pytest.raises(IntegrityError) as raised:
        db.session.execute(duplicate)
    said = str(raised.value)
    assert "SECRET" not in said
    assert "parameters hidden" in said
