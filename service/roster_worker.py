"""Checking a large roster in a worker process while the submitting process stores it.

At a million lines a submission is two kinds of work of about the same size: Python work per line
(checks, request digest, sealing, blind indexes, masks: ``submission.RosterCheck``) and the
database's inserts. Under the GIL one process does them one after the other; here a worker
process checks chunk k+1 while the submitting process inserts chunk k, on a second core.

The submitting process keeps the transaction and everything that touches the database, so a
submission stays all-or-nothing: a fault in the structure, an exception in the line stream, a
worker that fails or dies — each ends in the transaction's rollback, and the worker is stopped.
The worker sees the roster whole and in order (one worker, one ``RosterCheck``), so the
duplicates within the batch and the request digest are found exactly as in one process.

The worker is started with ``spawn``, not ``fork``: the service runs gRPC threads, and a forked
child would inherit their locks. It gets the keyring through the pipe that starts it (the keys
never touch a file or the command line) and exits with the submission. Starting it costs a
fraction of a second, so only rosters of ``PARALLEL_LINES`` lines or more (by the header's
count) use it. As with any ``spawn``, the program's main module must be safe to import (its work
under ``if __name__ == "__main__"``): the worker imports it again.
"""
from __future__ import annotations

import multiprocessing
import pickle
import traceback
from collections import namedtuple
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import fields
from itertools import islice
from operator import attrgetter

from domain.model import PaymentLine
from ledger.store import CHUNK
from privacy.cipher import FieldCipher
from privacy.keys import Keyring

PARALLEL_LINES = 50_000
DEPTH = 3  # chunks handed to the worker and not yet stored: bounds the memory, keeps both busy
_FIELDS = tuple(f.name for f in fields(PaymentLine))
# A line crosses the pipe as a plain tuple (pickling a frozen dataclass and building it again
# costs more than checking it) and is read in the worker through a named tuple of its fields.
_as_tuple = attrgetter(*_FIELDS)
_Line = namedtuple("_Line", _FIELDS)


class WorkerFailed(RuntimeError):
    """The worker process failed or died; the submission stores nothing."""


@contextmanager
def checking(cipher: FieldCipher, args: tuple, parallel: bool) -> Iterator[_InProcess | _Worker]:
    """A roster check over ``RosterCheck(*args, cipher)``: in a worker process when ``parallel``."""
    check = _Worker(cipher.keyring, args) if parallel else _InProcess(cipher, args)
    try:
        yield check
    except BaseException:
        check.close(abort=True)
        raise
    check.close(abort=False)


class _InProcess:
    def __init__(self, cipher: FieldCipher, args: tuple) -> None:
        from service.submission import RosterCheck

        self._check = RosterCheck(*args, cipher)

    def feed(self, lines: Iterable[PaymentLine]) -> Iterator[tuple[list[tuple], list]]:
        """(rows, issues) for each chunk of ``lines``, in order."""
        lines = iter(lines)
        while chunk := list(islice(lines, CHUNK)):
            yield self._check.feed(chunk)

    def finish(self) -> tuple:
        return self._check.finish()

    def close(self, abort: bool) -> None:
        pass


class _Worker:
    def __init__(self, keyring: Keyring, args: tuple) -> None:
        context = multiprocessing.get_context("spawn")
        self._tasks = context.Queue()  # put() does not block: the chunks go through a feeder thread
        # The answers come through a pipe whose only writing end is the worker's, so a worker that
        # dies in the middle of an answer is an end of file here, not a read that never returns.
        self._results, results = context.Pipe(duplex=False)
        self._process = context.Process(target=_serve, args=(self._tasks, results, keyring, args),
                                        name="ykt-roster-check", daemon=True)
        self._process.start()
        results.close()

    def feed(self, lines: Iterable[PaymentLine]) -> Iterator[tuple[list[tuple], list]]:
        """(rows, issues) for each chunk of ``lines``, in order, DEPTH chunks ahead."""
        lines = iter(lines)
        waiting = 0
        while chunk := [_as_tuple(line) for line in islice(lines, CHUNK)]:
            # pickled here, not by the queue's feeder thread, which would drop a chunk it cannot
            # pickle with a message on stderr and leave this process waiting for its answer
            self._tasks.put(pickle.dumps(chunk, pickle.HIGHEST_PROTOCOL))
            waiting += 1
            if waiting == DEPTH:
                yield self._result()
                waiting -= 1
        for _ in range(waiting):
            yield self._result()

    def finish(self) -> tuple:
        self._tasks.put("finish")
        return self._result()

    def _result(self):
        try:
            failed, payload = pickle.loads(self._results.recv_bytes())
        except EOFError:
            self._process.join()
            raise WorkerFailed(f"the roster check worker stopped (exit code {self._process.exitcode})") from None
        if failed:
            raise WorkerFailed(f"the roster check worker failed:\n{payload}")
        return payload

    def close(self, abort: bool) -> None:
        """Let the worker end; stop it at once when the submission failed midway (it may be in
        the middle of a chunk, with more queued: nothing it still makes would be stored)."""
        if not abort:
            self._tasks.put(None)
            self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join()
        self._tasks.cancel_join_thread()  # chunks it never read are dropped, not waited for
        self._tasks.close()
        self._results.close()


def _serve(tasks, results, keyring: Keyring, args: tuple) -> None:
    """The worker: a ``RosterCheck`` fed chunks until ``None``; answers (failed, payload)."""
    from service.submission import RosterCheck

    def answer(failed: bool, payload) -> None:
        results.send_bytes(pickle.dumps((failed, payload), pickle.HIGHEST_PROTOCOL))

    try:
        check = RosterCheck(*args, FieldCipher(keyring))
        while (task := tasks.get()) is not None:
            if task == "finish":
                answer(False, check.finish())
            else:
                answer(False, check.feed(map(_Line._make, pickle.loads(task))))
    except BaseException:  # noqa: BLE001 - reported to the submitting process, which raises
        answer(True, traceback.format_exc())
