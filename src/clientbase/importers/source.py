"""One input file, read from disk once per import.

Checking every file before the first is written needs its first bytes (format, encoding, header),
and the import needs all of it plus its SHA-256 (to know a file imported before). A ``Source``
keeps the head it sniffed, then streams the rest from where the head ended, hashing every byte
as it passes: one pass over the file, whatever the number of readers that look at it.
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import stat
from pathlib import Path

from clientbase.errors import InputFileError
from clientbase.i18n import _

HEAD_BYTES = 64 * 1024


def file_problem(path: Path) -> str | None:
    """Why a path named on the command line cannot be read as a file, in words, or None."""
    try:
        st = path.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return _("{path}: a loop of symbolic links (the link points back to itself)").format(
                path=path
            )
        if path.is_symlink():
            return _("{path}: a broken symbolic link (to {target}, which does not exist)").format(
                path=path, target=os.readlink(path)
            )
        if exc.errno == errno.ENOENT:
            return _("{path}: no such file or directory").format(path=path)
        return _("{path}: cannot read: {reason}").format(path=path, reason=exc.strerror)
    if stat.S_ISDIR(st.st_mode) or stat.S_ISREG(st.st_mode):
        return None
    return _("{path}: not a regular file").format(path=path)


class _Stream(io.RawIOBase):
    """The head from memory, then the file from where the head ended."""

    def __init__(self, source: Source):
        self.source = source
        self.pos = 0
        self.file = None

    def readable(self) -> bool:
        return True

    def readinto(self, buf) -> int:
        src = self.source
        head = src._head
        if self.pos < len(head):
            n = min(len(buf), len(head) - self.pos)
            buf[:n] = head[self.pos : self.pos + n]
            self.pos += n
            return n
        if src.in_memory:
            src._finish(self.pos)
            return 0
        if self.file is None:
            self.file = src._open()
            self.file.seek(self.pos)
        n = self.file.readinto(buf)
        if n:
            src.bytes_read += n
            src._feed(self.pos, memoryview(buf)[:n])
            self.pos += n
        else:
            src._finish(self.pos)
        return n

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None
        super().close()


class Source:
    """A file being imported: its head for sniffing, a stream of all of it, its SHA-256."""

    def __init__(self, path: Path):
        self.path = path
        self.bytes_read = 0  # from disk, for the tests that hold us to one pass
        self.opens = 0
        self._hash = hashlib.sha256()
        self._hashed_to = 0  # bytes fed to the hash, in file order
        self._digest: str | None = None
        self._data: bytes | None = None
        self.archive_checked = False  # a zip's sizes and checksums were verified (workbooks)
        with self._open() as f:
            self.size = os.fstat(f.fileno()).st_size
            self._head = f.read(HEAD_BYTES)
        self.bytes_read += len(self._head)
        self._feed(0, self._head)
        if len(self._head) == self.size:
            self._finish(self.size)

    @property
    def head(self) -> bytes:
        if not self._head and self.size:
            with self.stream() as f:
                self._head = f.read(HEAD_BYTES)
        return self._head

    def _open(self):
        self.opens += 1
        try:
            return self.path.open("rb")
        except OSError as exc:
            raise InputFileError(
                _("{path}: cannot read: {reason}").format(path=self.path, reason=exc.strerror)
            ) from exc

    def _feed(self, offset: int, data) -> None:
        # Only bytes that continue the hashed prefix count: a second stream (after release())
        # re-reads what is hashed already.
        if self._digest is None and offset <= self._hashed_to < offset + len(data):
            self._hash.update(data[self._hashed_to - offset :])
            self._hashed_to = offset + len(data)

    def _finish(self, end: int) -> None:
        if self._digest is None and self._hashed_to == end:
            self._digest = self._hash.hexdigest()

    def stream(self) -> io.BufferedReader:
        """All bytes of the file, from the first; hashed on the way if not hashed yet."""
        return io.BufferedReader(_Stream(self), buffer_size=1 << 20)

    def read_all(self) -> bytes:
        """The whole file in memory (workbooks: their readers need random access); kept until
        release()."""
        if self._data is None:
            with self.stream() as f:
                self._data = f.read()
        return self._data

    @property
    def sha256(self) -> str:
        """The file's SHA-256: known once a stream has reached the end; otherwise read now."""
        if self._digest is None:
            with self.stream() as f:
                while f.read(1 << 20):
                    pass
        assert self._digest is not None
        return self._digest

    def read_elsewhere(self, digest: str) -> None:
        """The SHA-256 of this file as another process found it, reading all of it (the
        orders' worker reads a big CSV itself)."""
        self._digest = digest

    @property
    def in_memory(self) -> bool:
        """The whole file is in the head: reading it needs no file at all."""
        return len(self._head) == self.size

    @property
    def hashed(self) -> bool:
        return self._digest is not None

    @property
    def kept_bytes(self) -> int:
        return len(self._head) + len(self._data or b"")

    def release(self) -> None:
        """Drop what is kept in memory (the file is read again from disk if needed)."""
        self._data = None
        self._head = b""
        self.archive_checked = False  # bytes read again are checked again
