"""An import killed at random points (kill -9, SIGTERM) or interrupted (Ctrl-C) leaves an intact
base as it was, no process of ours behind, and the next run gives what a clean import gives."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="finds the worker processes through /proc"
)

# The CLI with worker processes for any file size: a file big enough to use them for real
# (4 MB) takes too long to import three times in a test. Ctrl-C raises KeyboardInterrupt, as in
# a command typed at a terminal, even when the tests themselves run in the background, where
# the shell starts them with SIGINT ignored and every process they start inherits that.
RUN = (
    "import signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "import sys; import clientbase.importers.pipeline as p; p.PARALLEL_FROM_BYTES = 0; "
    "from clientbase.cli.main import run; sys.argv[0] = 'clientbase'; run()"
)
ROWS = 8_000
FIRST = ("Иван", "Мария", "Сергей", "Анна", "Олег", "Елена", "Пётр", "Ольга")
LAST = ("Иванов", "Петров", "Сидоров", "Кузнецов", "Попов", "Соколов", "Лебедев", "Козлов")
CITIES = ("Москва", "г. Казань", "Тула", "С-Петербург", "")


def _file(path: Path, rows: int = ROWS) -> Path:
    """A contact list with the usual noise: phones in several formats, a person listed twice,
    rows with nothing to identify anyone by."""
    rnd = random.Random(19)
    lines = ["ФИО;Телефон;E-mail;Город;Комментарий"]
    for n in range(rows):
        last, first = rnd.choice(LAST), rnd.choice(FIRST)
        fem = "а" if first in ("Мария", "Анна", "Елена", "Ольга") else ""
        phone = f"916{n:07d}"
        shown = rnd.choice((f"+7{phone}", f"8 ({phone[:3]}) {phone[3:6]}-{phone[6:8]}-{phone[8:]}",
                            f"7{phone}"))  # fmt: skip
        email = f"user{n}@example.ru" if n % 3 else ""
        note = "перезвонить" if n % 17 == 0 else ""
        lines.append(f"{last}{fem} {first};{shown};{email};{rnd.choice(CITIES)};{note}")
        if n % 50 == 0:
            lines.append(f"{last}{fem} {first};+7{phone};;;повтор")
        if n % 97 == 0:
            lines.append(";;;;только комментарий")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def contacts(tmp_path_factory) -> Path:
    return _file(tmp_path_factory.mktemp("kill") / "contacts.csv")


@pytest.fixture(scope="module")
def long_contacts(tmp_path_factory) -> Path:
    """Ten times the rows: an import of 8,000 rows ends well under a second after its workers
    are up, too close to the half second the Ctrl-C test waits for them to settle."""
    return _file(tmp_path_factory.mktemp("kill") / "long.csv", rows=10 * ROWS)


def _start(db: Path, csv: Path, *, workers: bool = True) -> subprocess.Popen:
    cli = [sys.executable, "-c", RUN] if workers else [sys.executable, "-m", "clientbase"]
    return subprocess.Popen(
        [*cli, "--db", str(db), "import", str(csv), "--no-dedupe"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, as a terminal gives a command
    )


def _descendants(root: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                ppid = int(Path(f"/proc/{d}/stat").read_bytes().rsplit(b")", 1)[1].split()[1])
            except (OSError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(d))
    found: set[int] = set()
    todo = [root]
    while todo:
        for c in children.get(todo.pop(), []):
            found.add(c)
            todo.append(c)
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in (b"Z", b"X")


def _wait_for_workers(proc: subprocess.Popen, at_least: int = 3) -> set[int]:
    """The processes the import started, once the workers are up (or the import ended)."""
    while proc.poll() is None:
        found = _descendants(proc.pid)
        if len(found) >= at_least or (os.cpu_count() or 1) < 2:
            return found
        time.sleep(0.05)
    return set()


def _left_behind(pids: set[int], patience_s: float = 20.0) -> set[int]:
    """Those of ``pids`` still running once the workers' watchdogs had time to notice."""
    end = time.monotonic() + patience_s
    while (alive := {p for p in pids if _running(p)}) and time.monotonic() < end:
        time.sleep(0.1)
    return alive


def _tables(db: Path) -> dict[str, list[tuple]]:
    """The base as data: every row of the tables an import fills, without times."""
    out = {}
    with sqlite3.connect(db) as conn:
        for table in ("customers", "contact_points", "imports", "import_rows", "consents"):
            cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")
                    if not r[1].endswith("_at") and r[1] != "options"]  # fmt: skip
            out[table] = conn.execute(
                f"SELECT {', '.join(cols)} FROM {table} ORDER BY 1"
            ).fetchall()
    return out


def test_kill_9_at_random_points_then_a_rerun_equals_a_clean_import(contacts, tmp_path):
    db = tmp_path / "killed.sqlite3"
    rnd = random.Random()
    for attempt in range(3):
        proc = _start(db, contacts)
        if attempt == 0:
            time.sleep(rnd.uniform(0.2, 1.0))  # may be before any worker is up
            ours = _descendants(proc.pid)
        else:
            _wait_for_workers(proc)
            time.sleep(rnd.uniform(0.0, 1.5))
            ours = _descendants(proc.pid)
        proc.kill()
        proc.wait()
        proc.stderr.close()
        assert not _left_behind(ours), f"kill {attempt + 1}: processes left behind"
        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    rerun = _start(db, contacts)
    # 3: the rows with nobody in them; 0 when a kill came after an import had committed (the
    # process still shuts its workers down then) and the file is known already. Either way the
    # base must equal a clean import's, which is what the comparison below checks.
    assert rerun.wait() in (0, 3), rerun.stderr.read().decode()
    rerun.stderr.close()
    clean_db = tmp_path / "clean.sqlite3"
    clean = _start(clean_db, contacts, workers=False)  # and without workers: the same base
    assert clean.wait() == 3, clean.stderr.read().decode()
    clean.stderr.close()
    clean_tables = _tables(clean_db)
    assert len(clean_tables["customers"]) > 7_000
    assert _tables(db) == clean_tables


def test_sigterm_leaves_no_worker_behind_and_the_base_as_it_was(contacts, tmp_path):
    db = tmp_path / "term.sqlite3"
    proc = _start(db, contacts)
    _wait_for_workers(proc)
    ours = _descendants(proc.pid)
    proc.terminate()
    proc.wait()
    proc.stderr.close()
    assert not _left_behind(ours)
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("SELECT count(*) FROM customers").fetchone() == (0,)


def test_ctrl_c_prints_one_line_and_rolls_back(long_contacts, tmp_path):
    db = tmp_path / "intr.sqlite3"
    proc = _start(db, long_contacts)
    # All workers up and past their start (the fork server, the resource tracker and one per
    # core): a Ctrl-C while a worker is still being handed its pipes is its own case (a worker
    # that starts after its pool was torn down can print a traceback of its own).
    ours = _wait_for_workers(proc, at_least=2 + min(os.cpu_count() or 1, 4))
    time.sleep(0.5)
    if proc.poll() is not None:
        pytest.skip("the import ended before it could be interrupted")
    ours |= _descendants(proc.pid)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole group
    _, err = proc.communicate()
    assert proc.returncode == 130, err.decode()
    assert err.decode().splitlines() == [
        "clientbase: interrupted; the unfinished change was rolled back"
    ]
    assert not _left_behind(ours)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM customers").fetchone() == (0,)
