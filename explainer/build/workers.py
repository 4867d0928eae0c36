"""Worker processes: a build's two heavy phases spread over the machine's cores, with `fork`.

Parsing and rendering thousands of pages is pure Python, so threads would not help.
A forked child starts with the parent's whole state for free (the validated content,
the compiled theme) and sends back plain results through a pipe.

A team serves one build, in two phases, and its children do nothing else:

    team = Team.fork(jobs, plan)    # the children start `plan.child(team)`, see below
    records = team.all(items)       # phase 1: each process parses its portion of the
                                    # documents; every process gets everyone's results
    ...                             # the parent checks and decides what to render
    pages = team.gather(todo)       # phase 2: each process renders its portion of the
                                    # pages; the parent collects them; children exit

A child's whole life is `Plan.child`: parse its portion, send the results, receive
everyone's, link them with the same pure `resolve` the parent runs (so it holds the same
model), receive the pages it is to render, render them, send them and exit. It never
returns into the pipeline. A page goes to the process that parsed its document, which
still holds the parsed tokens.

Anything unusual (no `fork`, one core, a child that fails or dies) falls back to doing
the work in the parent, which gives the same result: children only ever save time.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pickle
import signal
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

MIN_ITEMS = 64  # below this, forking costs more than it saves
PART = 100  # results per message from a child


def cores() -> int:
    """How many processes to use: EXPLAINER_JOBS, else the cores this process may use."""
    try:
        jobs = int(os.environ.get("EXPLAINER_JOBS", "0"))
    except ValueError:
        jobs = 0
    if jobs <= 0:
        jobs = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    return max(1, min(jobs, 8))


def release_freed_memory() -> None:
    """Hand back to the system the memory this process has freed but kept (glibc keeps it
    for reuse): what a build makes next, such as the memo's bytes, then grows into it
    instead of past it, and the build's peak is lower. Nothing where there is no glibc."""
    try:
        trim = getattr(ctypes.CDLL(None), "malloc_trim", None)
    except OSError:
        return
    if trim is not None:
        trim(0)


@dataclass
class Plan:
    """What a child does, given at fork time (the child has the parent's state then).

    `parse(item)` and `render(item)` return plain, picklable results; `link(results)`
    brings the child's model to the parent's (everyone's phase-1 results are its input).
    A render-only team has no `parse` and no phase 1.
    """

    render: Callable[[object], object]
    parse: Callable[[object], object] | None = None
    link: Callable[[list], None] | None = None


@dataclass
class _Child:
    pid: int
    reader: int  # results from the child
    writer: int  # messages to the child


class Team:
    """The children of one build, seen from the parent."""

    def __init__(self, jobs: int, children: dict[int, _Child], parsing: Sequence = ()) -> None:
        self.jobs = jobs
        self.children = children  # process index -> child (0 is the parent)
        self.parsing = parsing  # phase-1 items, as the children were told at fork
        self.owner: dict[int, int] = {}  # id(phase-1 item) -> the process index that parsed it

    @classmethod
    def fork(cls, jobs: int, plan: Plan, parsing: Sequence = ()) -> Team | None:
        """Start `jobs` - 1 children running `plan`; None where forking would not pay.

        With a `parse` step, the children each parse their portion of `parsing` first.
        """
        if jobs <= 1 or not hasattr(os, "fork"):
            return None
        children: dict[int, _Child] = {}
        for index in range(1, jobs):
            from_child, to_parent = os.pipe()
            from_parent, to_child = os.pipe()
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:
                for child in children.values():  # its siblings' pipes are not its own
                    os.close(child.reader)
                    os.close(child.writer)
                os.close(from_child)
                os.close(to_child)
                _child_main(plan, index, jobs, parsing, from_parent, to_parent)
            os.close(to_parent)
            os.close(from_parent)
            children[index] = _Child(pid, from_child, to_child)
        return cls(jobs, children, parsing)

    def all(self, parse: Callable[[object], object]) -> list:
        """Phase 1: the parent parses portion 0 while the children parse theirs; the results
        of every portion, in item order. A portion whose child failed is parsed here."""
        portions = _portions(self.parsing, self.jobs)
        results = [[parse(item) for item in portions[0]]]
        self.owner.update((id(item), 0) for item in portions[0])
        for index in range(1, self.jobs):
            result = _receive(self.children[index].reader) if index in self.children else None
            parsed_by = index
            if not (isinstance(result, list) and len(result) == len(portions[index])):
                self._dismiss(index)
                result = [parse(item) for item in portions[index]]
                parsed_by = 0  # parsed here: this process holds the tokens
            self.owner.update((id(item), parsed_by) for item in portions[index])
            results.append(result)
        merged: list = [None] * len(self.parsing)
        for i, result in enumerate(results):
            merged[i :: self.jobs] = result
        for index in list(self.children):
            try:
                _send(self.children[index].writer, merged)
            except OSError:
                self._dismiss(index)
        return merged

    def gather(self, render: Callable[[object], object], items: Sequence, key, owner) -> list:
        """Phase 2: render `items`, each in the process `owner(item)` names (or wherever the
        portions are smallest); the results in items' order. The children exit after this.

        `key(item)` is what a child is told to find the item by (it has its own copies).
        """
        places = _deal(items, self.jobs, lambda item: self._place(owner(item)))
        portions: list[list] = [[] for _ in range(self.jobs)]
        for item, place in zip(items, places, strict=True):
            portions[place].append(item)
        for index in list(self.children):
            try:
                _send(self.children[index].writer, [key(item) for item in portions[index]])
            except OSError:
                self._dismiss(index)
        results = [[render(item) for item in portions[0]]]
        for index in range(1, self.jobs):
            result = None
            if index in self.children:
                result = _receive_parts(self.children[index].reader)
                self._dismiss(index)
            if not (isinstance(result, list) and len(result) == len(portions[index])):
                result = [render(item) for item in portions[index]]
            results.append(result)
        taken = [iter(result) for result in results]
        return [next(taken[place]) for place in places]

    def stop(self) -> None:
        """End the children now (the build stopped early, or is done)."""
        for index in list(self.children):
            self._dismiss(index)

    def _place(self, parsed_by) -> int | None:
        return self.owner.get(id(parsed_by)) if parsed_by is not None else None

    def _dismiss(self, index: int) -> None:
        child = self.children.pop(index, None)
        if child is None:
            return
        for fd in (child.reader, child.writer):
            with contextlib.suppress(OSError):
                os.close(fd)
        with contextlib.suppress(OSError):  # it may be blocked sending, or already gone
            os.kill(child.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(child.pid, 0)


def _child_main(plan: Plan, index: int, jobs: int, parsing, reader: int, writer: int):
    """A child's whole life; it never returns (see the module docstring)."""
    status = 1
    try:
        if plan.parse is not None:
            _send(writer, [plan.parse(item) for item in _portions(parsing, jobs)[index]])
            everything = _receive(reader)
            if everything is None:  # the parent gave up on this build
                os._exit(0)
            plan.link(everything)
        todo = _receive(reader)
        if todo is None:
            os._exit(0)
        _send_parts(writer, [plan.render(key) for key in todo])
        status = 0
    finally:
        os._exit(status)


def _portions(items: Sequence, jobs: int) -> list[list]:
    return [list(items[i::jobs]) for i in range(jobs)]


def _deal(items: Sequence, jobs: int, place: Callable) -> list[int]:
    """Each item's process index: its owner's, else the smallest portion's so far."""
    places = [place(item) for item in items]
    sizes = [0] * jobs
    for p in places:
        if p is not None:
            sizes[p] += 1
    for i, p in enumerate(places):
        if p is None:
            smallest = sizes.index(min(sizes))
            places[i] = smallest
            sizes[smallest] += 1
    return places


def _send(fd: int, value) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    for view in (memoryview(len(data).to_bytes(8, "little")), memoryview(data)):
        while view:
            view = view[os.write(fd, view) :]


def _send_parts(fd: int, results: list) -> None:
    """A long list as several messages, so neither side holds it twice at once."""
    for start in range(0, len(results), PART):
        _send(fd, results[start : start + PART])
    _send(fd, _END)


def _receive_parts(fd: int) -> list | None:
    """What `_send_parts` sent, or None if the child ended before all of it."""
    results = []
    while True:
        part = _receive(fd)
        if part == _END:
            return results
        if not isinstance(part, list):
            return None
        results += part


_END = "end of parts"


def _receive(fd: int):
    """One value from a pipe, or None if the other side ended without sending it.

    Unbuffered, reading exactly one message: a child sends several on the same pipe."""
    try:
        size = int.from_bytes(_read(fd, 8), "little")
        data = _read(fd, size)
        if size == 0 or len(data) != size:
            return None
        return pickle.loads(data)  # our own process's bytes, never a file from anywhere
    except (OSError, pickle.UnpicklingError, EOFError, ValueError):
        return None


def _read(fd: int, n: int) -> bytearray:
    """Exactly n bytes (fewer if the pipe closes), read in place: a child's portion of the
    pages is tens of megabytes, and each extra copy adds to the build's peak memory."""
    buffer = bytearray(n)
    view, got = memoryview(buffer), 0
    while got < n:
        count = os.readv(fd, [view[got : got + (1 << 20)]])
        if not count:
            break
        got += count
    view.release()
    del buffer[got:]
    return buffer
