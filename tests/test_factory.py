"""Configuration classes and what create_app keeps in the instance folder."""

import os
import stat
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from flask import url_for
from sqlalchemy.engine import make_url

from config import DevelopmentConfig
from config import ProductionConfig
from config import TestingConfig
from config import config_from_environment
from config import normalize_database_url
from skedjit import create_app
from skedjit.extensions import db
from skedjit.instance_files import load_or_create_secret_key
from skedjit.models import Event
from tests.helpers.apps import make_config
from tests.helpers.apps import setting_from_environment

REPO = Path(__file__).resolve().parent.parent
THREADS = 16


def test_importing_config_reads_no_environment():
    exported = {**os.environ, "SESSION_COOKIE_SECURE": "0", "BCRYPT_ROUNDS": "4"}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import config; c = config.ProductionConfig; "
            "print(c.SESSION_COOKIE_SECURE, c.BCRYPT_ROUNDS)",
        ],
        cwd=REPO,
        env=exported,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.split() == ["True", "12"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "postgres://ana:pw@db.example:5432/skedjit",
            "postgresql+psycopg2://ana:pw@db.example:5432/skedjit",
        ),
        (
            "postgresql://ana@/skedjit?host=/run/pg",
            "postgresql+psycopg2://ana@/skedjit?host=/run/pg",
        ),
        ("postgresql+psycopg2://ana@db/skedjit", "postgresql+psycopg2://ana@db/skedjit"),
        ("sqlite:////srv/skedjit/skedjit.sqlite3", "sqlite:////srv/skedjit/skedjit.sqlite3"),
        ("sqlite://", "sqlite://"),
        (None, None),
        ("", None),
    ],
)
def test_normalize_database_url_points_postgresql_at_psycopg2(url, expected):
    assert normalize_database_url(url) == expected


@pytest.mark.parametrize(
    ("name", "config_class"),
    [
        ("development", DevelopmentConfig),
        ("testing", TestingConfig),
        ("production", ProductionConfig),
    ],
)
def test_config_from_environment_picks_the_named_class(name, config_class):
    assert issubclass(config_from_environment({"SKEDJIT_ENV": name}), config_class)


def test_config_from_environment_defaults_to_production():
    assert issubclass(config_from_environment({}), ProductionConfig)


def test_config_from_environment_refuses_an_unknown_name():
    with pytest.raises(RuntimeError, match="'staging'"):
        config_from_environment({"SKEDJIT_ENV": "staging"})


def test_create_app_without_a_config_class_uses_skedjit_env(monkeypatch, tmp_path):
    monkeypatch.setenv("SKEDJIT_ENV", "testing")
    assert create_app(instance_path=str(tmp_path)).testing is True


def test_bcrypt_rounds_default_is_12_when_the_environment_sets_none():
    assert setting_from_environment("BCRYPT_ROUNDS") == 12


def test_bcrypt_rounds_come_from_the_environment():
    assert setting_from_environment("BCRYPT_ROUNDS", BCRYPT_ROUNDS="13") == 13


def test_a_number_setting_refuses_anything_else():
    with pytest.raises(RuntimeError, match="BCRYPT_ROUNDS='many'"):
        setting_from_environment("BCRYPT_ROUNDS", BCRYPT_ROUNDS="many")


@pytest.mark.parametrize(
    ("config_class", "testing", "debug"),
    [
        (DevelopmentConfig, False, True),
        (TestingConfig, True, False),
        (ProductionConfig, False, False),
    ],
    ids=["development", "testing", "production"],
)
def test_app_testing_and_debug_follow_the_config(tmp_path, config_class, testing, debug):
    app = create_app(config_class, instance_path=str(tmp_path))
    assert (app.testing, app.debug) == (testing, debug)


def test_missing_secret_key_is_generated_into_a_private_instance_file(tmp_path):
    app = create_app(TestingConfig, instance_path=str(tmp_path))
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert app.config["SECRET_KEY"] == key_file.read_text().strip()
    assert len(app.config["SECRET_KEY"]) >= 32


def test_second_app_reuses_the_instance_secret_key(tmp_path):
    first = create_app(TestingConfig, instance_path=str(tmp_path))
    second = create_app(TestingConfig, instance_path=str(tmp_path))
    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"]


def test_configured_secret_key_writes_no_key_file(tmp_path):
    configured = type("Keyed", (TestingConfig,), {"SECRET_KEY": "configured-key"})
    app = create_app(configured, instance_path=str(tmp_path))
    assert app.config["SECRET_KEY"] == "configured-key"
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize("content", ["", " \n"])
def test_empty_secret_key_file_is_refused(tmp_path, content):
    (tmp_path / "secret_key").write_text(content)
    with pytest.raises(RuntimeError, match="empty"):
        create_app(TestingConfig, instance_path=str(tmp_path))


def test_missing_database_url_means_sqlite_file_in_instance_folder(tmp_path):
    app = create_app(TestingConfig, instance_path=str(tmp_path))
    with app.app_context():
        url = db.engine.url
    assert url.get_backend_name() == "sqlite"
    assert Path(url.database) == tmp_path / "skedjit.sqlite3"
    assert make_url(app.config["SQLALCHEMY_DATABASE_URI"]) == url


def test_instance_folder_is_created_when_missing(tmp_path):
    instance = tmp_path / "not" / "there"
    create_app(TestingConfig, instance_path=str(instance))
    assert (instance / "secret_key").is_file()


def race_for_secret_key(folder: Path) -> set[str]:
    barrier = threading.Barrier(THREADS)

    def load() -> str:
        barrier.wait(timeout=30)
        return load_or_create_secret_key(str(folder))

    with ThreadPoolExecutor(THREADS) as pool:
        futures = [pool.submit(load) for _ in range(THREADS)]
        return {future.result(timeout=60) for future in futures}


def test_threads_creating_the_secret_key_at_once_all_get_the_same_key(tmp_path):
    for attempt in range(10):
        folder = tmp_path / str(attempt)
        assert race_for_secret_key(folder) == {(folder / "secret_key").read_text()}


def test_threads_creating_the_secret_key_leave_no_temporary_files(tmp_path):
    race_for_secret_key(tmp_path)
    assert [path.name for path in tmp_path.iterdir()] == ["secret_key"]


def test_shell_context_offers_db_and_event(tmp_path):
    app = create_app(TestingConfig, instance_path=str(tmp_path))
    with app.app_context():  # as `flask shell` runs it
        context = app.make_shell_context()
    assert context["db"] is db
    assert context["Event"] is Event


def test_server_name_and_scheme_make_absolute_links(tmp_path):
    config = make_config(
        "sqlite://", SERVER_NAME="events.example.org", PREFERRED_URL_SCHEME="https"
    )
    app = create_app(config, instance_path=str(tmp_path))
    app.add_url_rule(
        "/probe", "probe", lambda: url_for("events.view", slug="Abcdef", _external=True)
    )
    response = app.test_client().get("/probe", base_url="http://127.0.0.1:8000")
    assert response.get_data(as_text=True) == "https://events.example.org/events/Abcdef"


def test_a_tampered_session_cookie_gives_an_empty_session(app, browser, create_event_as):
    slug = create_event_as(browser)
    cookie = browser.client.get_cookie("session")
    browser.client.set_cookie("session", cookie.value[:-2] + "xx")
    assert b"without the password" not in browser.get(f"/events/{slug}").data


def test_an_expired_session_cookie_gives_an_empty_session(
    app, browser, create_event_as, monkeypatch
):
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=1)  # the grant lasts 12
    slug = create_event_as(browser)
    browser.get(f"/events/{slug}")
    later = time.time() + 2 * 3600
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)
    assert b"without the password" not in browser.get(f"/events/{slug}").data


@pytest.mark.parametrize(
    ("environment", "env", "secure"),
    [
        ("production", {}, True),
        ("production", {"SESSION_COOKIE_SECURE": "0"}, False),
        ("development", {}, False),
        ("development", {"SESSION_COOKIE_SECURE": "yes"}, True),
    ],
)
def test_session_cookie_is_secure_in_production_unless_turned_off(environment, env, secure):
    value = setting_from_environment("SESSION_COOKIE_SECURE", SKEDJIT_ENV=environment, **env)
    assert value is secure


def test_a_yes_no_setting_refuses_anything_else():
    with pytest.raises(RuntimeError, match="SESSION_COOKIE_SECURE='maybe'"):
        setting_from_environment("DEBUG", SESSION_COOKIE_SECURE="maybe")


def production_app(tmp_path, **settings):
    attributes = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'production.sqlite3'}",
        "SECRET_KEY": "production-test-key",
        "TRUSTED_HOSTS": ["localhost", "192.0.2.1"],
        **settings,
    }
    return create_app(type("Production", (ProductionConfig,), attributes), str(tmp_path))


@pytest.mark.parametrize(
    ("config_class", "flags"),
    [(ProductionConfig, {"secure", "httponly", "samesite=lax"}), (TestingConfig, set())],
)
def test_the_session_cookie_carries_its_flags(tmp_path, config_class, flags):
    if config_class is ProductionConfig:
        app = production_app(tmp_path)
    else:
        app = create_app(make_config(f"sqlite:///{tmp_path / 'db.sqlite3'}"), str(tmp_path))
    response = app.test_client().get("/create", base_url="https://localhost")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("session=")
    attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite=lax"} <= attributes
    assert ("secure" in attributes) == ("secure" in flags)


def test_a_form_posted_over_plain_http_without_the_secure_cookie_says_why(tmp_path):
    client = production_app(tmp_path).test_client()
    response = client.post("/create", data={"title": "Plain HTTP"}, base_url="http://192.0.2.1")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Skedjit keeps its cookie for HTTPS connections only" in page
    assert "SESSION_COOKIE_SECURE=0" in page
    over_https = client.post("/create", data={"title": "HTTPS"}, base_url="https://192.0.2.1")
    assert over_https.status_code == 400
    assert "This form expired: check it and send it again." in over_https.get_data(as_text=True)
