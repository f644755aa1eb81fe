"""A pool stopped while a result is half sent: the command still ends.

A worker ended by Ctrl-C while it was writing a result into the pool's pipe leaves half a message
there, and the pool's manager thread would wait for the rest for ever, and the interpreter for
that thread at exit: the command hung after printing that it was interrupted."""

from __future__ import annotations

import subprocess
import sys

# In a child interpreter: the hang would be at its exit. Half a message written by hand (a header
# announcing 1,000 bytes, then 10), where a worker ended mid-write leaves one.
SCRIPT = """
import os, struct, time
from clientbase.workers import worker_pool

if __name__ == "__main__":
    try:
        with worker_pool(1, preload=[]) as pool:
            pool.submit(len, "up").result()
            os.write(pool._result_queue._writer.fileno(), struct.pack("!i", 1000) + b"x" * 10)
            time.sleep(0.3)  # the manager thread has read the header and waits for the rest
            raise KeyboardInterrupt
    except KeyboardInterrupt:
        print("interrupted", flush=True)
"""


def test_a_pool_stopped_with_half_a_result_in_its_pipe_lets_the_command_end(tmp_path):
    script = tmp_path / "stop.py"
    script.write_text(SCRIPT, encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=20)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "interrupted\n"
