"""The production front, deploy/nginx.conf, run by the machine's nginx on 127.0.0.1."""

import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.helpers.ports import free_port
from tests.helpers.processes import terminate

REPO = Path(__file__).resolve().parents[2]
SITE = REPO / "deploy" / "nginx.conf"
#: nginx's own address for its connections to gunicorn, so the app can tell it from a client.
PROXY_ADDRESS = "127.0.0.2"
MAIN = """\
user {user};
worker_processes 1;
error_log {dir}/error.log warn;
pid {dir}/nginx.pid;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    include {dir}/site.conf;
}}
"""


def nginx_binary() -> str:
    binary = shutil.which("nginx") or shutil.which("/usr/sbin/nginx")
    if binary is None:
        message = "no nginx (apt-get install nginx) to test the production front"
        if os.environ.get("SKEDJIT_REQUIRE_NGINX") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return binary


#: The site's one app server line, whose parameters each of the test's servers keeps.
UPSTREAM = re.compile(r"^(\s*)server 127\.0\.0\.1:8000\b([^;]*);$", re.M)


def site(app_ports: list[int], port: int, directory: Path, tls: bool) -> str:
    """deploy/nginx.conf with this test's app servers, ports and paths (and its TLS lines,
    if asked)."""
    text, found = UPSTREAM.subn(
        lambda line: "\n".join(
            f"{line[1]}server 127.0.0.1:{app_port}{line[2]};" for app_port in app_ports
        ),
        SITE.read_text(),
    )
    assert found == 1, f"no line 'server 127.0.0.1:8000 …;' in the upstream of {SITE}"
    text = text.replace("/srv/skedjit/", f"{REPO}/")
    text = re.sub(r"^\s*listen \[::\]:\d+.*\n", "", text, flags=re.M)
    if tls:
        text = re.sub(r"^\s*listen 80;\n", "", text, flags=re.M)
        text = re.sub(r"^(\s*)# (listen 443 ssl http2;|ssl_\w+ .*)$", r"\1\2", text, flags=re.M)
        text = re.sub(r"^\s*# listen \[::\].*\n", "", text, flags=re.M)
        text = text.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{port} ssl http2;")
        text = re.sub(r"ssl_certificate\s+(\S+);", f"ssl_certificate {directory}/cert.pem;", text)
        text = re.sub(
            r"ssl_certificate_key (\S+);", f"ssl_certificate_key {directory}/key.pem;", text
        )
    else:
        text = text.replace("listen 80;", f"listen 127.0.0.1:{port};")
    return text.replace(
        "proxy_pass http://skedjit;",
        f"proxy_pass http://skedjit;\n        proxy_bind {PROXY_ADDRESS};",
    )


def self_signed_certificate(directory: Path) -> None:
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            str(directory / "key.pem"),
            "-out",
            str(directory / "cert.pem"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )


@contextmanager
def nginx_in_front(app_ports: int | list[int], directory: Path, tls: bool = False) -> Iterator[str]:
    """nginx with deploy/nginx.conf in front of the app's port, or of several app servers'
    ports; yields its base URL."""
    app_ports = [app_ports] if isinstance(app_ports, int) else app_ports
    binary = nginx_binary()
    directory.mkdir(parents=True, exist_ok=True)
    if tls:
        self_signed_certificate(directory)
    port = free_port()
    (directory / "site.conf").write_text(site(app_ports, port, directory, tls))
    user = "root root" if os.geteuid() == 0 else os.environ.get("USER", "nobody")
    (directory / "nginx.conf").write_text(MAIN.format(user=user, dir=directory))
    command = [
        binary,
        "-p",
        str(directory),
        "-c",
        str(directory / "nginx.conf"),
        "-g",
        "daemon off;",
    ]
    with (directory / "stderr.log").open("wb") as stderr:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        deadline = time.monotonic() + 10
        while not (directory / "nginx.pid").exists():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"nginx did not start: {(directory / 'stderr.log').read_text()}")
            time.sleep(0.05)
        yield f"{'https' if tls else 'http'}://127.0.0.1:{port}"
    finally:
        terminate(process)
