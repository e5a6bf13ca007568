"""Browser tests: a real server process, Debian's Chromium driven by Playwright, axe-core.

The server runs as its own process on a database of its own (a fresh SQLite
file, or a ``<name>_e2e`` database next to the PostgreSQL test database), set up
exactly as ``make demo`` does: migrate, load the Copenhagen catalogue, import
KLE when present, create the demo staff.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
KLE_FILE = REPO.parent / "shared" / "data" / "os2kle" / "OS2KLE.txt"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

QUEUE_CENTRE = "indre-by"
ALWAYS_OPEN = f"""
from datetime import time
from borgerservice.catalogue.models import OpeningHours, ServiceCentre
centre = ServiceCentre.objects.get(code="{QUEUE_CENTRE}")
for weekday in range(7):
    OpeningHours.objects.update_or_create(
        centre=centre, line="general", weekday=weekday,
        defaults={{"opens": time(0, 0), "closes": time(23, 59, 59, 999999)}},
    )
"""


SHOTS = Path(os.environ.get("E2E_SCREENSHOTS", REPO / "var" / "e2e-screenshots"))


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under ``E2E_SCREENSHOTS`` for people to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 0
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'e2e.sqlite3'}"
    import psycopg

    parsed = urlparse(url)
    name = f"{parsed.path.lstrip('/') or 'borgerservice'}_e2e"
    admin = urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunparse(parsed._replace(path=f"/{name}"))


@pytest.fixture(scope="session")
def server_env(tmp_path_factory) -> dict[str, str]:
    """The environment of the test server, its database included: tests that need data of
    their own add it with ``manage(server_env, ...)``."""
    return {
        **os.environ,
        "DATABASE_URL": _database_url(tmp_path_factory),
        "DEMO": "1",
        "DEBUG": "0",
        "BORGERSERVICE_TESTING": "1",
        "PYTHONUNBUFFERED": "1",
    }


def manage(env: dict[str, str], *args: str) -> None:
    """Run a management command against the test server's database."""
    command = [sys.executable, str(REPO / "manage.py"), *args]
    subprocess.run(command, env=env, check=True, capture_output=True, cwd=REPO)


@pytest.fixture(scope="session")
def server_url(server_env, tmp_path_factory):
    env = server_env
    manage_command = [sys.executable, str(REPO / "manage.py")]

    def run(*args: str) -> None:
        manage(env, *args)

    run("migrate", "--noinput")
    run("load_copenhagen")
    if KLE_FILE.exists():
        run("import_kle", str(KLE_FILE))
    run("ensure_roles")
    run("create_demo_staff")
    run("make_demo_citizens", "--count", "60", "--seed", "7")
    run("make_demo_cases", "--count", "40", "--seed", "7")
    run("make_demo_bookings", "--if-empty")
    run("make_demo_forms", "--if-empty")
    run("make_demo_queues")
    # The server runs at real time, also at night: the queue test's centre is open all day
    # (in this database only), so a ticket can be drawn whenever the tests run.
    run("shell", "-c", ALWAYS_OPEN)
    port = _free_port()
    log = open(tmp_path_factory.mktemp("e2e-log") / "server.log", "w+")  # noqa: SIM115
    process = subprocess.Popen(
        [*manage_command, "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:  # noqa: S310
                if response.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            log.seek(0)
            process.kill()
            raise RuntimeError("the test server did not start:\n" + log.read())
        time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(timeout=10)
    log.close()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="da-DK")
    page = context.new_page()
    yield page
    context.close()


def log_in(page, server_url, username: str) -> None:
    page.goto(f"{server_url}/log-ind/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"demo-{username}")
    page.click("button[type=submit]")
    page.wait_for_url(f"{server_url}/")


@pytest.fixture
def logged_in_page(page, server_url):
    log_in(page, server_url, "frontoffice")
    return page


def axe_violations(page) -> list[dict]:
    """Serious and critical WCAG 2.1 A/AA violations on the current page."""
    # A click that navigates returns before the new document has loaded; on a busy machine
    # the script tag would otherwise be added to a page that has no head yet.
    page.wait_for_load_state("load")
    # Loaded from our own static files: the Content Security Policy stays in force.
    origin = "/".join(page.url.split("/")[:3])
    page.add_script_tag(url=f"{origin}/static/vendor/axe/axe.min.js")
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}
        })"""
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
