"""The app and Taguette 1.5.2 side by side, on the same generated files, over HTTP on loopback.

    make bench-peer            # installs Taguette into var/taguette-venv, then runs this
    .venv/bin/python bench/peer_taguette.py [--rounds 3] [--no-stack]

Not a test and not in CI. Each round runs the same work on both, alternating which goes first:

- import 50 x 10,000-word transcripts: Taguette gets them as .html (its fastest path; .txt
  goes through Calibre, timed too when ``ebook-convert`` is installed), the app as .txt
  through its bulk upload, review and import, as in the browser;
- 200 sequential codings over HTTP on one of those transcripts (median latency);
- the CSV of every highlight / quote of a project holding the two big documents;
- opening a 10,000-word transcript with 2,000 codings and a 300,000-character one with 5,000
  codings: Taguette's document page plus the three API calls its script makes, the app's
  coding screen; time and bytes;
- with the real stack (PostgreSQL, Redis, gunicorn x3, a Celery worker), 20 logged-in coders
  coding for at most 30 s each (at most 400 codings each): codings a second and the coding
  POST's p95. Taguette runs as it ships (one process, SQLite).

The app's embedded rows run under gunicorn (2 workers) on SQLite with Celery in-process; both
servers log at WARNING. Figures are medians over the rounds, with the range; the machine's
load average is printed before and after.
"""

from __future__ import annotations

import argparse
import base64
import html
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PY = Path(sys.executable)
TAGUETTE = Path(os.environ.get("TAGUETTE_VENV", ROOT / "var" / "taguette-venv"))
PASSWORD = "peer-bench-password-9"
STACK_DB = "fg_bench_peer"
PG_ADMIN = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
FILES = 50
CODERS = 20


# --- the same material for both ---------------------------------------------------------------


def groups() -> list[list[tuple[str, str]]]:
    from bench.bench_import import turns

    rng = random.Random(42)
    return [turns(rng, 10_000) for _ in range(FILES)]


def big_turns() -> dict[str, list[tuple[str, str]]]:
    from bench.bench_import import turns
    from bench.documents import turn_texts

    return {
        "10k words, 2,000 codings": turns(random.Random(5), 10_000),
        "300k characters, 5,000 codings": turn_texts(random.Random(6), 300_000),
    }


BIG_CODINGS = {"10k words, 2,000 codings": 2_000, "300k characters, 5,000 codings": 5_000}


def as_text(turns: list[tuple[str, str]]) -> str:
    return "\n\n".join(f"{speaker}: {text}" for speaker, text in turns)


def as_html(turns: list[tuple[str, str]]) -> str:
    body = "".join(f"<p>{html.escape(f'{speaker}: {text}')}</p>\n" for speaker, text in turns)
    return f"<!doctype html><html><head><meta charset='utf-8'></head><body>{body}</body></html>"


def taguette_offset(turns: list[tuple[str, str]], offset: int) -> int:
    """An offset into the app's text (lines joined by two newlines) as one into Taguette's
    (the paragraphs' text, nothing between them)."""
    position = 0
    for index, (speaker, text) in enumerate(turns):
        length = len(speaker) + 2 + len(text)
        if offset <= position + length:
            return offset - 2 * index
        position += length + 2
    return offset - 2 * (len(turns) - 1)


# --- servers -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=10)
            return
        except requests.RequestException:  # not up yet, or still starting
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {timeout:.0f} s")


@contextmanager
def process(args: list[str], *, env: dict[str, str] | None = None, log: Path, cwd: Path = ROOT):
    with log.open("w") as out:
        proc = subprocess.Popen(
            args,
            env=env,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            yield proc
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def app_env(var: Path, *, stack: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    env |= {
        "FG_VAR_DIR": str(var),
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "peer-bench-only-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    if stack:
        env["DATABASE_URL"] = PG_ADMIN.rsplit("/", 1)[0] + "/" + STACK_DB
        env["CELERY_BROKER_URL"] = REDIS
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [str(PY), "manage.py", *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if result.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def seed_app(env: dict[str, str], spec: dict[str, Any]) -> dict[str, Any]:
    """Users, projects, codes and the big documents, written by the ORM in a child process
    (the server is already serving the same database)."""
    result = subprocess.run(
        [str(PY), __file__, "--seed-app", "-"],
        input=json.dumps(spec),
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise SystemExit(f"seeding the app failed:\n{result.stderr[-4000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def seed_app_child(spec: dict[str, Any]) -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from bench.documents import big_transcript
    from coding.models import Code, Coding
    from transcripts.models import Membership, Project, Role
    from transcripts.services.transcripts import transcript_create

    users = get_user_model().objects
    out: dict[str, Any] = {}
    owner = users.filter(username="bench").first() or users.create_user("bench", password=PASSWORD)
    for index in range(spec.get("coders", 0)):
        name = f"coder{index:02d}"
        if not users.filter(username=name).exists():
            users.create_user(name, password=PASSWORD)
    if "project" in spec:
        project = Project.objects.create(name=spec["project"], created_by=owner)
        Membership.objects.create(project=project, user=owner, role=Role.OWNER)
        for user in users.filter(username__startswith="coder"):
            Membership.objects.create(project=project, user=user, role=Role.CODER)
        codes = [Code.objects.create(project=project, name=f"Code {n}", order=n) for n in range(20)]
        out |= {"project": project.pk, "codes": [c.pk for c in codes]}
        out["upload"] = reverse("transcripts:transcript_upload", args=[project.pk])
        out["csv"] = reverse("themes:export_quotes_csv", args=[project.pk])
        for label, turns in spec.get("big", {}).items():
            big = big_transcript(
                project=project,
                coder=owner,
                codes=codes,
                turns=[tuple(t) for t in turns],
                codings=BIG_CODINGS[label],
                name=label,
            )
            spans = list(
                Coding.objects.filter(transcript=big).values_list("start", "end", "code_id")
            )
            out.setdefault("big", {})[label] = {
                "screen": reverse("coding:coding_screen", args=[project.pk, big.pk]),
                "codings": [[s, e, out["codes"].index(c)] for s, e, c in spans],
            }
        for index, turns in enumerate(spec.get("plain", [])):
            text = as_text([tuple(t) for t in turns])
            transcript = transcript_create(
                project=project, name=f"Plain {index + 1}", text=text, turns=_turn_specs(turns)
            )
            out.setdefault("plain", []).append(
                [transcript.pk, reverse("coding:coding_apply", args=[project.pk, transcript.pk])]
            )
    print(json.dumps(out))


def _turn_specs(turns: list[list[str]]) -> list[Any]:
    from transcripts.services.transcripts import TurnSpec

    specs, position = [], 0
    for speaker, text in turns:
        start = position + len(speaker) + 2
        specs.append(
            TurnSpec(
                speaker_label=speaker,
                participant=speaker if speaker != "Moderator" else "",
                is_facilitator=speaker == "Moderator",
                start=start,
                end=start + len(text),
            )
        )
        position = start + len(text) + 2
    return specs


TAGUETTE_CONFIG = """
NAME = "Peer benchmark"
BIND_ADDRESS = "127.0.0.1"
PORT = {port}
BASE_PATH = "/"
DOMAIN = "localhost"
SECRET_KEY = "{secret}"
DATABASE = "sqlite:///{db}"
EMAIL = "bench@example.org"
TOS_FILE = None
DEFAULT_LANGUAGE = "en_US"
MAIL_SERVER = {{"ssl": False, "host": "localhost", "port": 25}}
COOKIES_PROMPT = False
REGISTRATION_ENABLED = True
SQLITE3_IMPORT_ENABLED = False
X_HEADERS = False
CONVERT_TO_HTML_TIMEOUT = 180
CONVERT_FROM_HTML_TIMEOUT = 180
"""


@contextmanager
def taguette_server(tmp: Path):
    port = free_port()
    config = tmp / "taguette.conf.py"
    config.write_text(
        TAGUETTE_CONFIG.format(
            port=port,
            secret=base64.b64encode(os.urandom(30)).decode(),
            db=tmp / "taguette.sqlite3",
        )
    )
    env = os.environ | {"PYTHONWARNINGS": "ignore"}
    with process(
        [str(TAGUETTE / "bin" / "taguette"), "server", str(config)], env=env, log=tmp / "tg.log"
    ):
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/health")
        yield base


@contextmanager
def app_server(var: Path, *, stack: bool, workers: int):
    env = app_env(var, stack=stack)
    if stack:
        _stack_database()
    manage(env, "migrate", "--no-input")
    manage(env, "collectstatic", "--no-input", "-v0")
    port = free_port()
    gunicorn = [
        str(PY.parent / "gunicorn"),
        "config.wsgi",
        "-b",
        f"127.0.0.1:{port}",
        "-w",
        str(workers),
        "--log-level",
        "warning",
    ]
    with process(gunicorn, env=env, log=var / "gunicorn.log"):
        if stack:
            worker = [
                str(PY.parent / "celery"),
                "-A",
                "config",
                "worker",
                "-l",
                "WARNING",
                "-c",
                "2",
            ]
            with process(worker, env=env, log=var / "celery.log"):
                wait_for(f"http://127.0.0.1:{port}/accounts/login/")
                yield f"http://127.0.0.1:{port}", env
        else:
            wait_for(f"http://127.0.0.1:{port}/accounts/login/")
            yield f"http://127.0.0.1:{port}", env


def _stack_database() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN.replace("postgres://", "postgresql://"), autocommit=True) as db:
        db.execute(f"DROP DATABASE IF EXISTS {STACK_DB} WITH (FORCE)")
        db.execute(f"CREATE DATABASE {STACK_DB}")


# --- clients -------------------------------------------------------------------------------


class FormFields(HTMLParser):
    """The fields a browser would submit from the first form whose action ends with
    ``action`` (text inputs, ticked boxes, selected options, textareas)."""

    def __init__(self, action: str):
        super().__init__()
        self.action, self.inside, self.done = action, False, False
        self.fields: list[tuple[str, str]] = []
        self.select: str | None = None
        self.first_option: str | None = None
        self.chosen = False
        self.textarea: str | None = None
        self.text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and not self.done and (a.get("action") or "").endswith(self.action):
            self.inside = True
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            tick = a.get("type") in ("checkbox", "radio")
            self.fields.append((name, a.get("value") or ("on" if tick else "")))
        elif tag == "select" and name:
            self.select, self.first_option, self.chosen = name, None, False
        elif tag == "option" and self.select:
            if self.first_option is None:
                self.first_option = a.get("value", "")
            if "selected" in a and not self.chosen:
                self.fields.append((self.select, a.get("value", "")))
                self.chosen = True
        elif tag == "textarea" and name:
            self.textarea, self.text = name, ""

    def handle_data(self, data):
        if self.textarea:
            self.text += data

    def handle_endtag(self, tag):
        if not self.inside:
            return
        if tag == "select" and self.select:
            if not self.chosen and self.first_option is not None:
                self.fields.append((self.select, self.first_option))
            self.select = None
        elif tag == "textarea" and self.textarea:
            self.fields.append((self.textarea, self.text))
            self.textarea = None
        elif tag == "form":
            self.inside, self.done = False, True


class App:
    def __init__(self, base: str, username: str = "bench"):
        self.base, self.session = base, requests.Session()
        self.session.get(base + "/accounts/login/")
        response = self.session.post(
            base + "/accounts/login/",
            data={
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": self.session.cookies["csrftoken"],
            },
            allow_redirects=False,
        )
        assert response.status_code == 302, f"app login failed: {response.status_code}"

    @property
    def csrf(self) -> dict[str, str]:
        return {"X-CSRFToken": self.session.cookies["csrftoken"]}

    def import_files(self, upload_url: str, files: list[tuple[str, bytes]]) -> int:
        response = self.session.post(
            self.base + upload_url,
            files=[("files", (name, data, "text/plain")) for name, data in files],
            headers=self.csrf,
        )
        assert response.ok and "/uploads/" in response.url, response.status_code
        review = re.search(r'action="([^"]+/review/)"', response.text)
        assert review, "no review form after the upload"
        fields = FormFields(review.group(1))
        fields.feed(response.text)
        data = [*fields.fields, ("action", "import")]
        done = self.session.post(
            self.base + html.unescape(review.group(1)), data=data, headers=self.csrf
        )
        errors = re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', done.text, re.S)
        assert done.ok, (done.status_code, errors[:3], data[:30])
        imported = re.search(r"Imported (\d+)", done.text)
        return int(imported.group(1)) if imported else -1

    def code(self, apply_url: str, start: int, end: int, code: int) -> requests.Response:
        return self.session.post(
            self.base + apply_url,
            data={"start": start, "end": end, "codes": code, "coder": "me"},
            headers=self.csrf | {"HX-Request": "true"},
        )

    def get(self, path: str) -> requests.Response:
        return self.session.get(self.base + path)


class Taguette:
    def __init__(self, base: str, login: str):
        self.base, self.session = base, requests.Session()
        self.session.get(base + "/register")
        response = self.session.post(
            base + "/register",
            data={
                "login": login,
                "password1": PASSWORD,
                "password2": PASSWORD,
                "email": "",
                "_xsrf": self.session.cookies["_xsrf"],
            },
        )
        if "Invalid" in response.text or "already" in response.text:
            self.session.post(
                base + "/login",
                data={"login": login, "password": PASSWORD, "_xsrf": self.session.cookies["_xsrf"]},
            )
        assert self.session.cookies.get("user"), "Taguette login failed"

    @property
    def xsrf(self) -> dict[str, str]:
        return {"X-XSRFToken": self.session.cookies["_xsrf"]}

    def project(self, name: str) -> int:
        response = self.session.post(
            self.base + "/project/new",
            data={"name": name, "description": "", "_xsrf": self.session.cookies["_xsrf"]},
        )
        return int(re.search(r"/project/(\d+)", response.url).group(1))

    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        response = self.session.request(method, self.base + path, headers=self.xsrf, **kwargs)
        assert response.ok, f"Taguette {path}: {response.status_code} {response.text[:200]}"
        return response

    def document(self, project: int, name: str, data: bytes, filename: str, kind: str) -> int:
        response = self.api(
            "POST",
            f"/api/project/{project}/document/new",
            data={"name": name, "description": ""},
            files={"file": (filename, data, kind)},
        )
        return response.json()["created"]

    def tag(self, project: int, path: str) -> int:
        return self.api(
            "POST", f"/api/project/{project}/tag/new", json={"path": path, "description": ""}
        ).json()["id"]

    def code(self, project: int, document: int, start: int, end: int, tag: int):
        return self.session.post(
            f"{self.base}/api/project/{project}/document/{document}/highlight/new",
            json={"start_offset": start, "end_offset": end, "tags": [tag]},
            headers=self.xsrf,
        )

    def open(self, project: int, document: int) -> int:
        """Bytes of what the browser fetches to show a document."""
        size = 0
        for path in (
            f"/project/{project}/document/{document}",
            f"/api/project/{project}/document/{document}",
            f"/api/project/{project}/document/{document}/contents",
        ):
            response = self.api("GET", path)
            size += len(response.content)
        return size


SEED_TAGUETTE = r"""
import json, sqlite3, sys
db, spec = sys.argv[1], json.load(open(sys.argv[2]))
connection = sqlite3.connect(db)
for document, tags, spans in spec:
    for start, end, tag, snippet in spans:
        cursor = connection.execute(
            "INSERT INTO highlights (document_id, start_offset, end_offset, snippet) "
            "VALUES (?, ?, ?, ?)", (document, start, end, snippet))
        connection.execute("INSERT INTO highlight_tags (highlight_id, tag_id) VALUES (?, ?)",
                           (cursor.lastrowid, tags[tag]))
connection.commit()
"""


# --- measuring -----------------------------------------------------------------------------


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def sequential_codings(code: Callable[[int, int], requests.Response], length: int) -> list[float]:
    rng = random.Random(11)
    latencies = []
    for _ in range(200):
        start = rng.randrange(0, length - 200)
        seconds, response = timed(lambda s=start: code(s, s + rng.randint(20, 150)))
        assert response.status_code in (200, 422), response.status_code
        latencies.append(seconds)
    return latencies


def concurrent_coders(
    make: Callable[[int], Callable[[int, int], requests.Response]], length: int
) -> tuple[float, float, int]:
    """``CODERS`` threads coding for at most 30 s or 400 codings each: codings a second,
    p95 latency, and how many failed."""
    coders = [make(index) for index in range(CODERS)]
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    started = time.perf_counter()
    deadline = started + 30

    def work(index: int) -> None:
        rng = random.Random(index)
        for _ in range(400):
            if time.perf_counter() > deadline:
                return
            start = rng.randrange(0, length - 200)
            seconds, response = timed(lambda s=start: coders[index](s, s + rng.randint(20, 150)))
            with lock:
                latencies.append(seconds)
                failures[0] += response.status_code not in (200, 422)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(CODERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return len(latencies) / elapsed, latencies[int(len(latencies) * 0.95)], failures[0]


def csv_rows(text: str) -> int:
    import csv
    import io

    return sum(1 for _ in csv.reader(io.StringIO(text.lstrip("\ufeff")))) - 1


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


class Table:
    def __init__(self):
        self.rows: dict[str, dict[str, list[float]]] = {}
        self.units: dict[str, str] = {}
        self.higher: set[str] = set()
        self.capped: set[tuple[str, str]] = set()  # (row, who) that hit a time limit: "at least"

    def add(self, row: str, who: str, value: float, unit: str, *, higher: bool = False):
        self.rows.setdefault(row, {"taguette": [], "app": []})[who].append(value)
        self.units[row] = unit
        if higher:
            self.higher.add(row)
        print(f"  {row} [{who}]: {value:.3f} {unit}", flush=True)

    def print(self) -> None:
        print("\n| step | Taguette | app | ratio |\n|---|---|---|---|")
        for row, values in self.rows.items():
            tg, app = values["taguette"], values["app"]
            if not tg or not app:
                print(f"| {row} | {_fmt(tg)} | {_fmt(app)} | - |")
                continue
            ratio = (
                statistics.median(app) / statistics.median(tg)
                if row in self.higher
                else statistics.median(tg) / statistics.median(app)
            )
            unit = self.units[row]
            at_least = "≥ " if (row, "taguette") in self.capped else ""
            print(
                f"| {row} | {at_least}{_fmt(tg)} {unit} | {_fmt(app)} {unit} | "
                f"{at_least}{ratio:.1f}x |"
            )


def _fmt(values: list[float]) -> str:
    if not values:
        return "-"
    median = statistics.median(values)
    if len(values) == 1:
        return f"{median:.3g}"
    return f"{median:.3g} ({min(values):.3g}-{max(values):.3g})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-stack", action="store_true", help="skip the 20-coder row")
    parser.add_argument("--only-stack", action="store_true", help="only the 20-coder row")
    parser.add_argument("--seed-app")
    args = parser.parse_args()
    if args.seed_app:
        seed_app_child(json.load(sys.stdin))
        return
    if not (TAGUETTE / "bin" / "taguette").exists():
        raise SystemExit(f"Taguette is not installed in {TAGUETTE}: run make bench-peer")
    print(f"load average before: {load()} ({os.cpu_count()} CPUs)", flush=True)
    table = Table()
    material = groups()
    big = big_turns()
    calibre = shutil.which("ebook-convert")
    with tempfile.TemporaryDirectory(prefix="fg-peer-") as folder:
        tmp = Path(folder)
        try:
            if not args.only_stack:
                embedded_rows(tmp, args.rounds, material, big, calibre, table)
            if not args.no_stack:
                stack_rows(tmp, material, args.rounds, table)
        finally:  # what was measured is printed even if a later row fails
            table.print()
            print(f"\nload average after: {load()}")


def embedded_rows(tmp: Path, rounds: int, material, big, calibre, table: Table) -> None:
    """Every row but the 20 coders: both on SQLite, the app under gunicorn (2 workers)."""
    with (
        taguette_server(tmp) as tg_base,
        app_server(tmp / "app", stack=False, workers=2) as (app_base, env),
    ):
        tg = Taguette(tg_base, "bench")
        seeded = seed_app(env, {"project": "Big", "big": big, "coders": 0})
        app = App(app_base)
        tg_big = tg.project("Big")
        tags = [tg.tag(tg_big, f"Code {n}") for n in range(20)]
        tg_docs = {}
        spec = []
        for label, turns in big.items():
            tg_docs[label] = tg.document(
                tg_big, label, as_html(turns).encode(), "big.html", "text/html"
            )
            # Taguette's offsets count the paragraphs' text; its snippet is that text's HTML.
            plain = "".join(f"{speaker}: {text}" for speaker, text in turns)
            spans = []
            for s, e, c in seeded["big"][label]["codings"]:
                start, end = taguette_offset(turns, s), taguette_offset(turns, e)
                spans.append([start, end, c, html.escape(plain[start:end])])
            spec.append([tg_docs[label], tags, spans])
        (tmp / "spec.json").write_text(json.dumps(spec))
        subprocess.run(
            [
                str(TAGUETTE / "bin" / "python"),
                "-c",
                SEED_TAGUETTE,
                str(tmp / "taguette.sqlite3"),
                str(tmp / "spec.json"),
            ],
            check=True,
            capture_output=True,
        )
        for round_ in range(rounds):
            print(f"round {round_ + 1} (load {load()})", flush=True)
            order = ["app", "taguette"] if round_ % 2 == 0 else ["taguette", "app"]
            for who in order:
                if who == "app":
                    app_round(app, env, round_, material, seeded, table)
                else:
                    taguette_round(tg, round_, material, tg_big, tg_docs, calibre, table)
        usable_in_chromium(
            [
                ("app", app.session, app_base, {k: v["screen"] for k, v in seeded["big"].items()}),
                (
                    "taguette",
                    tg.session,
                    tg_base,
                    {k: f"/project/{tg_big}/document/{d}" for k, d in tg_docs.items()},
                ),
            ],
            rounds,
            table,
        )


# What shows a document is usable: its first passages are on screen, with their highlights.
USABLE = {"app": ".turn-text", "taguette": "#document-contents .highlight"}
USABLE_LIMIT = 300_000  # ms: a run that takes longer is reported at this figure


def usable_in_chromium(sides: list[tuple[str, Any, str, dict[str, str]]], runs: int, table) -> None:
    """Time from asking for the page to its first passages being visible (and so selectable),
    in Debian's Chromium, each run in a fresh browser context (nothing cached)."""
    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    try:
        from playwright.sync_api import TimeoutError as PlaywrightTimeout
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("  (Playwright is not installed: no time-to-usable)")
        return
    if not Path(chromium).exists():
        print(f"  (no Chromium at {chromium}: no time-to-usable)")
        return
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        slow: set[tuple[str, str]] = set()
        for _ in range(runs):
            for who, session, base, urls in sides:
                for label, url in urls.items():
                    if (who, label) in slow:
                        continue  # one run over a minute is figure enough
                    context = browser.new_context(viewport={"width": 1280, "height": 900})
                    context.add_cookies(
                        [{"name": c.name, "value": c.value, "url": base} for c in session.cookies]
                    )
                    page = context.new_page()
                    started = time.perf_counter()
                    page.goto(base + url, wait_until="commit")
                    try:
                        page.wait_for_selector(USABLE[who], state="visible", timeout=USABLE_LIMIT)
                        seconds = time.perf_counter() - started
                    except PlaywrightTimeout:
                        seconds = USABLE_LIMIT / 1000
                        print(f"  {who} did not show the {label} within {seconds:.0f} s")
                        table.capped.add((f"usable in Chromium: the {label}", who))
                    if seconds > 60:
                        slow.add((who, label))
                    table.add(f"usable in Chromium: the {label}", who, seconds, "s")
                    context.close()
        browser.close()


def app_round(app: App, env, round_: int, material, seeded, table: Table) -> None:
    project = seed_app(env, {"project": f"Round {round_ + 1}"})
    files = [(f"FG{i + 1}.txt", as_text(turns).encode()) for i, turns in enumerate(material)]
    seconds, imported = timed(lambda: app.import_files(project["upload"], files))
    assert imported == FILES, f"the app imported {imported} of {FILES}"
    table.add("import 50 x 10k-word transcripts (Taguette .html, app .txt)", "app", seconds, "s")
    plain = seed_app(env, {"project": f"Coding {round_ + 1}", "plain": [material[0]]})
    _pk, apply_url = plain["plain"][0]
    code = plain["codes"][0]
    latencies = sequential_codings(
        lambda s, e: app.code(apply_url, s, e, code), len(as_text(material[0]))
    )
    table.add(
        "one coding over HTTP, 200 sequential, median",
        "app",
        statistics.median(latencies) * 1000,
        "ms",
    )
    seconds, response = timed(lambda: app.get(seeded["csv"]))
    assert response.ok
    rows = csv_rows(response.text)
    table.add(f"CSV of the {rows:,} quotes / highlights", "app", seconds, "s")
    for label, info in seeded["big"].items():
        seconds, response = timed(lambda i=info: app.get(i["screen"]))
        assert response.ok
        table.add(f"open the {label}", "app", seconds, "s")
        table.add(f"bytes to open the {label}", "app", len(response.content) / 1024, "KB")


def taguette_round(tg: Taguette, round_, material, tg_big, tg_docs, calibre, table) -> None:
    project = tg.project(f"Round {round_ + 1}")

    def upload() -> int:
        for index, turns in enumerate(material):
            tg.document(
                project,
                f"FG{index + 1}",
                as_html(turns).encode(),
                f"FG{index + 1}.html",
                "text/html",
            )
        return FILES

    seconds, _ = timed(upload)
    table.add(
        "import 50 x 10k-word transcripts (Taguette .html, app .txt)", "taguette", seconds, "s"
    )
    if calibre:
        txt_project = tg.project(f"Round {round_ + 1} txt")
        seconds, _ = timed(
            lambda: [
                tg.document(
                    txt_project, f"FG{i + 1}", as_text(t).encode(), f"FG{i + 1}.txt", "text/plain"
                )
                for i, t in enumerate(material)
            ]
        )
        table.add("import 50 x 10k-word .txt (Taguette through Calibre)", "taguette", seconds, "s")
    coding_project = tg.project(f"Coding {round_ + 1}")
    tag = tg.tag(coding_project, "Code 0")
    document = tg.document(
        coding_project, "Plain 1", as_html(material[0]).encode(), "p.html", "text/html"
    )
    length = len(as_text(material[0])) - 2 * len(material[0])
    latencies = sequential_codings(
        lambda s, e: tg.code(coding_project, document, s, e, tag), length
    )
    table.add(
        "one coding over HTTP, 200 sequential, median",
        "taguette",
        statistics.median(latencies) * 1000,
        "ms",
    )
    seconds, response = timed(lambda: tg.api("GET", f"/project/{tg_big}/export/highlights/.csv"))
    rows = csv_rows(response.text)
    # The app's row names its own count; Taguette's should match it.
    label = next(
        (r for r in table.rows if r.startswith("CSV of the")),
        f"CSV of the {rows:,} quotes / highlights",
    )
    table.add(label, "taguette", seconds, "s")
    if f"{rows:,}" not in label:
        print(f"  (Taguette's CSV has {rows:,} rows)")
    for label, document in tg_docs.items():
        seconds, size = timed(lambda d=document: tg.open(tg_big, d))
        table.add(f"open the {label}", "taguette", seconds, "s")
        table.add(f"bytes to open the {label}", "taguette", size / 1024, "KB")


def stack_rows(tmp: Path, material, rounds: int, table: Table) -> None:
    length = len(as_text(material[0]))
    row = f"{CODERS} coders for 30 s, codings a second"
    for round_ in range(rounds):
        print(f"stack round {round_ + 1} (load {load()})", flush=True)
        with app_server(tmp / f"stack-{round_}", stack=True, workers=3) as (base, env):
            seeded = seed_app(
                env, {"project": "Stack", "coders": CODERS, "plain": material[:CODERS]}
            )
            code = seeded["codes"][0]

            def make(index: int, seeded=seeded, base=base, code=code):
                client = App(base, f"coder{index:02d}")
                apply_url = seeded["plain"][index][1]
                return lambda s, e: client.code(apply_url, s, e, code)

            rate, p95, failed = concurrent_coders(make, length)
        table.add(row, "app", rate, "/s", higher=True)
        table.add(f"{CODERS} coders: p95 of a coding POST", "app", p95 * 1000, "ms")
        if failed:
            print(f"  app: {failed} codings failed")
        rate, p95, failed = taguette_coders(_fresh(tmp, round_), material, length)
        table.add(row, "taguette", rate, "/s", higher=True)
        table.add(f"{CODERS} coders: p95 of a coding POST", "taguette", p95 * 1000, "ms")
        if failed:
            print(f"  Taguette: {failed} codings failed")


def taguette_coders(folder: Path, material, length: int) -> tuple[float, float, int]:
    with taguette_server(folder) as tg_base:
        owner = Taguette(tg_base, "bench")
        project = owner.project("Stack")
        tag = owner.tag(project, "Code 0")
        documents = [
            owner.document(
                project, f"FG{i + 1}", as_html(t).encode(), f"FG{i + 1}.html", "text/html"
            )
            for i, t in enumerate(material[:CODERS])
        ]
        members = {f"coder{i:02d}": {"privileges": "TAG"} for i in range(CODERS)}
        clients = [Taguette(tg_base, f"coder{i:02d}") for i in range(CODERS)]
        owner.api("PATCH", f"/api/project/{project}/members", json=members)

        def make(index: int):
            client = clients[index]
            return lambda s, e: client.code(project, documents[index], s, e, tag)

        return concurrent_coders(make, length - 2 * len(material[0]))


def _fresh(tmp: Path, round_: int) -> Path:
    folder = tmp / f"tg-stack-{round_}"
    folder.mkdir()
    return folder


if __name__ == "__main__":
    main()
