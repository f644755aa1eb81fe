"""Import every file of the hostile corpus through the CLI, in this one process.

    python tests/hostile/driver.py CORPUS_DIR DB RESULTS.json

Run as a child process by test_corpus.py, which reads the child's peak memory from the kernel
when it exits: one interpreter for all cases keeps the run fast, and a peak over the whole run
bounds the peak of every case. Each case's exit code, stdout and stderr go to RESULTS.json.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(corpus: Path, db: Path, out: Path) -> None:
    from typer.testing import CliRunner

    from clientbase.cli.main import app

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from hostile.generate import build

    runner = CliRunner()
    results = {}
    for case in build(corpus):
        # A folder goes to a base of its own: each of its files loads the keys of the whole
        # base, so a base filled by the other cases would time the base, not the folder.
        base = db.with_name(f"{db.name}-{case.name}") if case.path.is_dir() else db
        args = ["--db", str(base), "import", str(case.path), "--format", "json", "--force"]
        r = runner.invoke(app, [*args, *case.args])
        results[case.name] = {
            "exit": r.exit_code,
            "stdout": r.stdout,
            "stderr": r.stderr,
            "exception": None
            if r.exception is None or isinstance(r.exception, SystemExit)
            else repr(r.exception),
        }
    out.write_text(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
