"""Hostile trees on disk: files under names that need not be UTF-8, FIFOs, sockets, links to
devices and to themselves, modes that forbid reading; listed and removed without recursion (a
case is 1,500 folders deep, and ``os.walk``, ``makedirs`` and ``rmtree`` recurse per level in
Python 3.11).
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager

DEVICES = {"zero": "/dev/zero", "null": "/dev/null", "urandom": "/dev/urandom"}
"""Special kinds that are a symbolic link to a device."""


def make_tree(
    root: bytes,
    files: Iterable[tuple[bytes, bytes]],
    specials: Iterable[tuple[bytes, str]],
    stack: ExitStack,
) -> dict[bytes, Reader]:
    """Write the files under ``root``, then the specials (``Case.specials``); the readers of
    ``fifo-out`` FIFOs, by path. What must be undone (a socket, a reader) is on ``stack``."""
    for rel, content in files:
        path = os.path.join(root, rel)
        _makedirs(root, os.path.dirname(rel))
        with open(path, "wb") as handle:
            handle.write(content)
    readers = {}
    for rel, kind in specials:
        path = os.path.join(root, rel)
        if not kind.startswith("mode:"):
            _makedirs(root, os.path.dirname(rel))
        if kind == "fifo-out":
            readers[rel] = stack.enter_context(_reading(path))
        else:
            _special(path, kind, stack)
    return readers


def _special(path: bytes, kind: str, stack: ExitStack) -> None:
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "socket":
        server = stack.enter_context(socket.socket(socket.AF_UNIX))
        server.bind(path)
    elif kind == "dir":
        os.mkdir(path)
    elif kind in DEVICES:
        os.symlink(DEVICES[kind], path)
    elif kind == "loop":
        os.symlink(os.path.basename(path), path)
    elif kind == "dangling":
        os.symlink(b"nothing-here", path)
    elif kind.startswith("link:"):
        os.symlink(os.fsencode(kind[5:]), path)
    elif kind.startswith("mode:"):
        os.chmod(path, int(kind[5:], 8))
    else:
        raise ValueError(f"no special kind {kind!r}")


class Reader:
    """What a FIFO's reader got; it reads without blocking, so a run that never opens the FIFO
    cannot hang it."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.data = bytearray()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.fd, 1 << 16)
            except BlockingIOError:  # a writer is there, with nothing to say yet
                chunk = None
            if chunk:
                self.data += chunk
            elif self.done.is_set():
                return
            else:
                time.sleep(0.005)


@contextmanager
def _reading(path: bytes) -> Iterator[Reader]:
    os.mkfifo(path)
    reader = Reader(os.open(path, os.O_RDONLY | os.O_NONBLOCK))
    try:
        yield reader
    finally:
        reader.done.set()
        reader.thread.join()
        os.close(reader.fd)


def listing(root: bytes) -> set[bytes]:
    """Every path under ``root`` (links not followed; what cannot be listed, not listed)."""
    return {os.path.relpath(path, root) for path, _ in _walk(root)}


def _walk(root: bytes, *, open_up: bool = False) -> list[tuple[bytes, bool]]:
    """Every path under ``root`` and whether it is a folder, parents first; ``open_up`` gives
    each folder its permissions back before listing it. Not ``os.walk`` (nor ``makedirs`` or
    ``rmtree``): in Python 3.11 they recurse once per level, and 1,500 levels is a case."""
    found, pending = [], [root]
    while pending:
        try:
            entries = list(os.scandir(pending.pop()))
        except OSError:  # a folder the case made unreadable
            continue
        for entry in entries:
            folder = entry.is_dir(follow_symlinks=False)
            if folder and open_up:
                os.chmod(entry.path, 0o700)
            found.append((entry.path, folder))
            if folder:
                pending.append(entry.path)
    return found


def _makedirs(root: bytes, rel: bytes) -> None:
    path = root
    for part in rel.split(b"/") if rel else ():
        path = os.path.join(path, part)
        if not os.path.isdir(path):
            os.mkdir(path)


def remove(root: bytes) -> None:
    """Delete the tree, giving back first the permissions a case took away."""
    os.chmod(root, 0o700)
    for path, folder in reversed(_walk(root, open_up=True)):
        with contextlib.suppress(OSError):
            os.rmdir(path) if folder else os.unlink(path)
    os.rmdir(root)
