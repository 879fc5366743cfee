"""Run hostile source trees in a few worker processes, each bounded in time and memory.

Each worker runs many cases in-process (``static_run.run_case``: the CLI through click's
CliRunner, no interpreter start-up per case) under an address-space limit (RLIMIT_AS) and a
per-case alarm. A case that runs past its time, a MemoryError, or a worker that dies (killed,
a signal, a C stack overflow) is a failure, and the worker is replaced: what a failed case did
to a process is never inherited by the next one. The parent kills a worker whose alarm did not
end its case (stuck in C code), with its process group (the ``--jobs 2`` pool's processes).

Root reads any file, so permission cases would prove nothing as root: workers give up the
capabilities that let it (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH) and check that a mode-000 file
is then unreadable. Where that fails, cases marked ``privileged`` are skipped and counted.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import resource
import signal
import sys
import tempfile
import time
import types
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from types import FrameType
from typing import Any

from tests.hostile.static_run import Case, run_case
from tests.hostile.static_tree import remove

SECONDS = 60
"""A case's time bound (the worker's alarm); the parent kills the worker ``GRACE`` later."""
GRACE = 30
MEMORY = 3 * 1024**3
"""A worker's address-space bound, in bytes."""
_CAPS = (1, 2)
"""CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH (linux/capability.h)."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """What became of one case."""

    case: Case
    problem: str | None
    skipped: bool
    seconds: float
    peak: int | None = None
    """The worker's peak resident memory while the case ran, in MB, what earlier cases left in
    it included (where Linux says it)."""


class _Timeout(BaseException):
    """The case's alarm: a BaseException, so neither dynaguard nor CliRunner takes it for an
    error of the run."""


def run_cases(cases: Sequence[Case], workers: int = 2) -> list[Verdict]:
    """Every case's verdict, in order, run by ``workers`` processes."""
    verdicts: list[Verdict | None] = [None] * len(cases)
    with tempfile.TemporaryDirectory(prefix="dynaguard-hostile-static-") as root:
        pool = [_Worker(Path(root), n) for n in range(min(workers, len(cases)) or 1)]
        for worker in pool:
            worker.wait_ready()
        pending = deque(range(len(cases)))
        try:
            while pending or any(w.busy is not None for w in pool):
                for worker in pool:
                    if worker.busy is None and pending:
                        worker.send(pending.popleft(), cases)
                for index, verdict in _collect(pool, cases):
                    verdicts[index] = verdict
        finally:
            for worker in pool:
                worker.stop()
            for left in Path(root).glob("case-*"):  # a killed worker's case, maybe 1,500 deep
                remove(os.fsencode(left))
    return [v for v in verdicts if v is not None]


def _collect(pool: list[_Worker], cases: Sequence[Case]) -> list[tuple[int, Verdict]]:
    """Verdicts that arrived within a second; workers that died or hung are replaced."""
    busy = {w.conn: w for w in pool if w.busy is not None}
    found = []
    for conn in wait(list(busy), timeout=1.0):
        worker = busy[conn]
        index, started = worker.busy or (0, 0.0)
        try:
            problem, skipped, peak, spent = conn.recv()
        except (EOFError, OSError):
            problem, skipped, peak, spent = f"the worker died ({worker.death()})", False, None, True
        case = cases[index]
        if problem is not None and not problem.startswith(case.name):
            problem = f"{case.name}: {problem}"
        seconds = time.monotonic() - started
        found.append((index, Verdict(case, problem, skipped, seconds, peak)))
        worker.done(failed=problem is not None or spent)
    for worker in pool:
        if worker.busy is not None and time.monotonic() - worker.busy[1] > SECONDS + GRACE:
            index, started = worker.busy
            problem = f"{cases[index].name}: hung past {SECONDS + GRACE} s (killed)"
            found.append((index, Verdict(cases[index], problem, False, SECONDS + GRACE)))
            worker.done(failed=True)
    return found


class _Worker:
    """One worker process and the case it runs (index, start time)."""

    def __init__(self, root: Path, number: int) -> None:
        self.root = root
        self.number = number
        self.busy: tuple[int, float] | None = None
        self._start()

    def _start(self) -> None:
        # Spawned, not forked: the parent may have threads (pytest), and a worker must start
        # clean. Not a daemon: a ``--jobs 2`` run makes a process pool of its own.
        context = multiprocessing.get_context("spawn")
        self.conn, theirs = context.Pipe()
        cache = self.root / f"cache-{self.number}"
        self.process = context.Process(target=serve, args=(theirs, str(cache)), daemon=False)
        self.process.start()
        theirs.close()

    def wait_ready(self) -> None:
        """Once it has imported everything: its start-up is no case's time."""
        try:
            ready = self.conn.poll(SECONDS) and self.conn.recv() == "ready"
        except EOFError:
            ready = False
        if not ready:
            raise RuntimeError(f"a worker did not start ({self.death()})")

    def send(self, index: int, cases: Sequence[Case]) -> None:
        self.busy = (index, time.monotonic())
        self.conn.send((cases[index], str(self.root / f"case-{index}")))

    def done(self, *, failed: bool) -> None:
        self.busy = None
        if failed:  # a fresh process for the next case
            self.stop()
            self._start()
            self.wait_ready()

    def death(self) -> str:
        self.process.join(5)
        code = self.process.exitcode
        if code is not None and code < 0:
            return f"signal {signal.Signals(-code).name}"
        return f"exit {code}"

    def stop(self) -> None:
        if self.process.is_alive():
            with contextlib.suppress(OSError):
                self.conn.send(None)
            self.process.join(2)
        if self.process.is_alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.join()
        self.conn.close()


def serve(conn: Connection, cache: str) -> None:
    """A worker: bounded, unprivileged, running each case it is sent until told to stop."""
    os.setpgrp()  # the parent kills the group: this process and any pool it starts
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
    os.environ["DYNAGUARD_CACHE_DIR"] = cache
    # ``--jobs 2`` starts its processes from a forkserver, which loads the parser once, and
    # would import the campaign's main script (pytest, the harness) into every one of them: a
    # second per case that the ``dynaguard`` command, whose main script is tiny, never pays.
    multiprocessing.set_forkserver_preload(["dynaguard.static.source.parse"])
    sys.modules["__main__"] = types.ModuleType("__main__")
    # The forkserver starts in some case's folder and imports from PYTHONPATH: a relative entry
    # (``PYTHONPATH=src``) would find another dynaguard there, or the installed one.
    search = os.environ.get("PYTHONPATH")
    if search:
        os.environ["PYTHONPATH"] = os.pathsep.join(map(os.path.abspath, search.split(os.pathsep)))
    checks = unprivileged()
    signal.signal(signal.SIGALRM, _alarm)
    conn.send("ready")
    while (message := conn.recv()) is not None:
        case, work = message
        if case.privileged and not checks:
            conn.send((None, True, None, False))
            continue
        _reset_peak()
        problem = _run_bounded(case, Path(work))
        # A process whose address space grew past half its bound is replaced: the next case
        # must not fail for what this one left behind.
        spent = (_status("VmSize") or 0) > MEMORY // 2 // 2**20
        conn.send((problem, False, _status("VmHWM"), spent))


def _run_bounded(case: Case, work: Path) -> str | None:
    signal.setitimer(signal.ITIMER_REAL, SECONDS)
    try:
        return run_case(case, work)
    except _Timeout:
        return f"timed out after {SECONDS} s"
    except MemoryError:
        return f"MemoryError past {MEMORY // 1024**3} GB"
    except Exception as exc:  # the harness's own failure is the case's, reported, not fatal
        return f"harness: {type(exc).__name__}: {exc}"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def _reset_peak() -> None:
    with contextlib.suppress(OSError):  # Linux only; elsewhere peaks are not measured
        Path("/proc/self/clear_refs").write_text("5")


def _status(field: str) -> int | None:
    """A memory figure of ``/proc/self/status`` (``VmHWM``: peak, ``VmSize``: address space),
    in MB; None where there is none."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) // 1024
    return None


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise _Timeout


def unprivileged() -> bool:
    """Give up reading what the mode forbids (root's DAC capabilities); whether permissions
    now bind this process."""
    if os.geteuid() == 0:
        _drop_capabilities(_CAPS)
    with tempfile.TemporaryDirectory() as directory:
        probe = Path(directory) / "probe"
        probe.write_bytes(b"x")
        probe.chmod(0)
        try:
            probe.read_bytes()
        except PermissionError:
            return True
        return False


class _Header(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _Data(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


def _drop_capabilities(numbers: Sequence[int]) -> None:
    """Clear capabilities from the effective and permitted sets (capset(2), version 3); no
    effect where the call is refused or not Linux."""
    if not sys.platform.startswith("linux"):
        return
    libc: Any = ctypes.CDLL(None, use_errno=True)
    header = _Header(0x20080522, 0)
    data = (_Data * 2)()
    if libc.capget(ctypes.byref(header), data) != 0:
        return
    mask = ~sum(1 << n for n in numbers) & 0xFFFFFFFF
    data[0].effective &= mask
    data[0].permitted &= mask
    libc.capset(ctypes.byref(header), data)
