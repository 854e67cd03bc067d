"""Shared by the HTTP benchmarks: a PostgreSQL database of their own and a real gunicorn in front of it.

``prepare_database(url, scale)`` drops and recreates the database, migrates it and loads the demo
district; ``Server(url, workers)`` runs ``gunicorn`` (the same command ``bin/serve`` uses) on a free
port until the ``with`` block ends. Timings are taken by the client, over loopback.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/jiceng_bench"
PASSWORD = "Jiceng-demo-2026"  # the demo accounts' password


def setup_django(var_dir: str | None = None, database_url: str | None = None, *, migrate: bool = False) -> None:
    """Django in a bench script's own process. With ``var_dir``: a data directory of its own (never the
    developer's var/), no Redis, and ``database_url`` or else a SQLite file there; without: the
    environment as it is (``DATABASE_URL`` and all). ``migrate`` brings the database up to date."""
    if var_dir is not None:
        os.environ["JICENG_VAR_DIR"] = var_dir
        os.environ.pop("REDIS_URL", None)
        if database_url:
            os.environ["DATABASE_URL"] = database_url
        else:
            os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)


def env_for(database_url: str) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "jiceng.settings",
           "JICENG_VAR_DIR": os.environ.get("JICENG_VAR_DIR", "/tmp/jiceng-bench"), "DEBUG": "0",
           "LOG_LEVEL": "WARNING", "ALLOWED_HOSTS": "127.0.0.1,localhost"}
    Path(env["JICENG_VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    return env


def manage(database_url: str, *args: str) -> str:
    result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env_for(database_url),
                            capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def prepare_database(database_url: str, scale: float) -> None:
    """Recreate the database and fill it with the demo district at ``scale``."""
    parsed = urlparse(database_url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    import psycopg

    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    started = time.perf_counter()
    manage(database_url, "migrate", "--noinput", "-v0")
    manage(database_url, "load_demo", "--scale", str(scale))
    print(f"prepared {name}: demo district at scale {scale} in {time.perf_counter() - started:.0f} s")


def prepare_archive(database_url: str, scale: float, cases: int) -> None:
    """``prepare_database``, then ``cases`` archive cases from ``bench/make_cases.py`` and an ANALYZE."""
    prepare_database(database_url, scale)
    started = time.perf_counter()
    subprocess.run([PYTHON, "bench/make_cases.py", "--cases", str(cases)], cwd=ROOT, check=True,
                   env=env_for(database_url))
    manage(database_url, "shell", "-c", "from django.db import connection; "
           "connection.cursor().execute('VACUUM ANALYZE')")
    print(f"added {cases:,} cases in {time.perf_counter() - started:.0f} s")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, database_url: str, workers: int, threads: int = 1):
        self.database_url = database_url
        self.workers = workers
        self.threads = threads
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        manage(self.database_url, "collectstatic", "--noinput", "-v0")  # pages need the manifest
        command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "jiceng.wsgi:application",
                   "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers),
                   "--threads", str(self.threads), "--log-level", "warning"]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env_for(self.database_url))
        for _ in range(100):
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=1).read()
                return self
            except OSError:
                time.sleep(0.2)
        self.process.kill()
        sys.exit("gunicorn did not come up")

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=20)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def sign_in(base: str, username: str):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token})
    request = urllib.request.Request(base + "/accounts/login/", data=data.encode(), headers={"Referer": base + "/"})
    opener.open(request).read()
    if not any(cookie.name == "sessionid" for cookie in jar):
        sys.exit(f"could not sign in as {username}")
    return opener


def time_requests(opener, base: str, targets: dict[str, str], rounds: int) -> dict[str, list[float]]:
    """Request every target once to warm up, then ``rounds`` times in turn: seconds per request, by name."""
    for path in targets.values():
        opener.open(base + path).read()
    timings: dict[str, list[float]] = {}
    for _ in range(rounds):
        for name, path in targets.items():
            started = time.perf_counter()
            response = opener.open(base + path)
            response.read()
            timings.setdefault(name, []).append(time.perf_counter() - started)
            if response.status != 200:
                sys.exit(f"{path}: HTTP {response.status}")
    return timings
