"""Worker processes that never outlive the command that started them.

Imports and exports clean or scan chunks in a pool of worker processes started by a fork server
(a clean interpreter, not a copy of the main process with its open database). Two things the
standard pool does not do, done here:

- **They die with the command.** After ``kill -9`` (or a SIGTERM) of the main process nothing
  tells the workers: they wait on their task queue, and the fork server waits for them (every
  child holds its keep-alive pipe). So each worker runs a watchdog thread that checks once a
  second that the main process is still there (a zombie, or a new process that took its pid,
  does not count) and ends the worker if not. On Linux the kernel also kills a worker whose fork
  server dies (``prctl(PR_SET_PDEATHSIG)``).
- **Ctrl-C is the main process's.** The terminal sends SIGINT to the whole process group; the
  workers ignore it, so the user sees the main process's one line ("interrupted; ...") and not
  a traceback from every worker. The main process then stops the pool at once.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

from clientbase import i18n

_PR_SET_PDEATHSIG = 1
_WATCH_EVERY_S = 1.0


@contextmanager
def worker_pool(
    workers: int,
    initializer: Callable | None = None,
    initargs: tuple = (),
    preload: list[str] | None = None,
) -> Iterator:
    """A ``ProcessPoolExecutor`` of ``workers`` processes (see the module docstring); on any
    exception (Ctrl-C included) the workers are stopped without finishing their tasks.
    ``preload``: the modules the fork server imports for every worker to start with (None:
    multiprocessing's default, the main module; [] nothing)."""
    # multiprocessing and its fork server (some 50 ms to import): only when a pool starts
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    ctx = multiprocessing.get_context("forkserver")
    if preload is not None:
        ctx.set_forkserver_preload(preload)  # ignored if the fork server runs already
    _start_helpers()
    pool = ProcessPoolExecutor(
        workers,
        mp_context=ctx,
        initializer=_start_worker,
        initargs=((os.getpid(), _identity(os.getpid())), i18n.language(), initializer, initargs),
    )
    try:
        yield pool
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown(wait=True)


def _start_helpers() -> None:
    """Start the fork server and the resource tracker with SIGINT ignored. A Ctrl-C while a new
    interpreter is still starting, or while the fork server is handing a new worker its pipes,
    would otherwise print a traceback before the worker gets to ignore the signal. An ignored
    signal stays ignored across exec, so the fork server's interpreter never installs its
    KeyboardInterrupt handler and every worker it forks starts with SIGINT ignored. SIGINT is
    blocked meanwhile, so a Ctrl-C pressed in this window stays pending (Linux never discards a
    blocked signal) and reaches the main process as soon as its handler is back."""
    from multiprocessing import forkserver, resource_tracker  # see worker_pool

    main = threading.current_thread() is threading.main_thread()  # signals: main thread only
    block = main and hasattr(signal, "pthread_sigmask")
    old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT}) if block else None
    old_handler = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
    # The tracker warns about semaphores "leaked" when a Ctrl-C ends the workers mid-task (it
    # cleans them up all the same): noise under the command's one line. It takes the -W options
    # of the process that starts it.
    quiet = "ignore::UserWarning"
    try:
        sys.warnoptions.append(quiet)
        try:
            resource_tracker.ensure_running()
        finally:
            sys.warnoptions.remove(quiet)
        forkserver.ensure_running()
    finally:
        if old_handler is not None:
            signal.signal(signal.SIGINT, old_handler)
        if old_mask is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)


def _stop(pool) -> None:
    """Cancel what is queued and end the workers now: their results are no longer wanted, and
    waiting for the chunks in flight would only delay the rollback the user asked for."""
    processes = list(getattr(pool, "_processes", {}).values())  # no public way to list them
    result_queue = getattr(pool, "_result_queue", None)  # shutdown() lets go of it
    call_queue = getattr(pool, "_call_queue", None)
    if call_queue is not None:
        # Its feeder thread may be blocked writing a big chunk into the pipe of a worker that is
        # gone: without this, the interpreter waits for that thread at exit, forever.
        call_queue.cancel_join_thread()
    pool.shutdown(wait=False, cancel_futures=True)
    for p in processes:
        try:
            p.terminate()
        except (OSError, ValueError):  # gone already
            pass
    for p in processes:
        try:
            p.join(5)
        except (OSError, ValueError, AssertionError):
            pass
    # A worker ended while it was sending a result leaves half a message in the pipe, and the
    # pool's manager thread would wait for the rest for ever (and the interpreter for that
    # thread at exit). With every worker gone, closing this process's own end of the pipe
    # turns the wait into an end of file, which the thread takes for a broken pool and ends.
    writer = getattr(result_queue, "_writer", None)
    if writer is not None:
        with suppress(OSError):  # closed already: nothing was waiting on it
            writer.close()
    # The pool's manager thread closes its wake-up pipe as it ends; at interpreter exit
    # concurrent.futures writes to that pipe, and if the two meet, Python 3.11 prints an
    # "OSError: Bad file descriptor" traceback under our one line. Let the thread end first.
    manager = getattr(pool, "_executor_manager_thread", None)
    if manager is not None:
        manager.join(5)


def _start_worker(main: tuple, lang: str, initializer: Callable | None, initargs: tuple) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(*main)
    # Started by the fork server, not forked from the command: the language has to be handed
    # over, so that reasons and notes made in the worker are in the command's language.
    i18n.set_language(lang)
    if initializer is not None:
        initializer(*initargs)


def die_with_parent(main_pid: int, main: str | None) -> None:
    """End this process when the main process (``main_pid``, whose ``_identity`` was ``main``
    when it started the pool: a loaded machine can take seconds to get a worker this far) or
    this process's parent (the fork server) is gone."""
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # the watchdog below still holds

    def gone() -> bool:
        return os.getppid() != parent or _identity(main_pid) != main

    if gone():
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(_WATCH_EVERY_S)
            if gone():
                os._exit(1)

    threading.Thread(target=watch, name="clientbase-watchdog", daemon=True).start()


def _identity(pid: int) -> str | None:
    """What tells this process apart while it lives: on Linux its start time (a pid can be
    taken again by a new process), elsewhere only that it exists; None once it is gone or a
    zombie (killed, but not yet reaped by its own parent)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
    except FileNotFoundError:
        return None
    except OSError:
        fields = None
    if fields is not None:
        return None if fields[0] in (b"Z", b"X") else fields[19].decode()
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass
    return "alive"
