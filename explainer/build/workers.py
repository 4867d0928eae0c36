"""Spread a build's per-page work over the machine's cores, with `fork`.

Parsing and rendering thousands of pages is pure Python, so threads would not help.
A forked child starts with the parent's whole state (the model, the compiled
templates) for free and sends back plain results through a pipe.

A build uses the same children twice. `parse_shares` forks them in `resolve`: each
parses its share of the pages, and all processes exchange what they found (the pages'
claims). Each child then carries on through the rest of the pipeline exactly as the
parent does, holding the parsed pages of its own share, until `render_shares`, where
it renders its share of the pages, sends the bytes and exits. Parsing a page twice (in
a child, then again to render it in the parent) would have cost as much as it saved.

Anything unusual (no `fork`, one core, a child that fails or dies) falls back to doing
the work in the parent, which gives the same result: children only ever save time.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

MIN_ITEMS = 64  # below this, forking costs more than it saves
PART = 100  # pages per message from a child


def workers() -> int:
    """How many processes to use: EXPLAINER_JOBS, else the cores this process may use."""
    try:
        jobs = int(os.environ.get("EXPLAINER_JOBS", "0"))
    except ValueError:
        jobs = 0
    if jobs <= 0:
        jobs = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    return max(1, min(jobs, 8))


@dataclass
class _Child:
    pid: int
    reader: int  # results from the child
    writer: int  # the exchange, to the child


@dataclass
class _Team:
    """The children of the current build (in the parent), or this child's place in it."""

    jobs: int = 1
    index: int = 0  # 0 in the parent
    children: dict[int, _Child] = field(default_factory=dict)  # share index -> child
    reader: int = -1  # in a child: the exchange, from the parent
    writer: int = -1  # in a child: results, to the parent


_team: _Team | None = None


def parse_shares(work: Callable[[Sequence], list], items: Sequence, jobs: int) -> list:
    """`work(items)` spread over `jobs` processes; every process gets all the results.

    The children stay: they return from here with the same results as the parent and
    run on until `render_shares` (or `finish`) ends them.
    """
    global _team
    if jobs <= 1 or len(items) < MIN_ITEMS or not hasattr(os, "fork") or _team is not None:
        return work(items)
    team = _team = _start_team(jobs)
    shares = [items[i::jobs] for i in range(jobs)]
    if team.index > 0:  # a child: its share, then wait for everyone's
        try:
            _send(team.writer, work(shares[team.index]))
            everything = _receive(team.reader)
        except BaseException:  # noqa: BLE001 - the parent redoes this share
            os._exit(1)
        if everything is None:
            os._exit(0)  # the parent gave up on this build
        return everything
    results = [work(shares[0])]
    for index in range(1, jobs):
        result = _receive(team.children[index].reader)
        if not (isinstance(result, list) and len(result) == len(shares[index])):
            _dismiss(team, index)
            result = work(shares[index])
        results.append(result)
    merged = [None] * len(items)
    for i, result in enumerate(results):
        merged[i::jobs] = result
    for index in list(team.children):
        try:
            _send(team.children[index].writer, merged)
        except OSError:
            _dismiss(team, index)
    return merged


def render_shares(
    work: Callable[[Sequence], list],
    items: Sequence,
    jobs: int,
    owner: Callable[[object], int | None] = lambda item: None,
) -> list:
    """`work(items)` spread over processes; the results, in items' order, in the parent.

    An item whose `owner` is a share index goes to that process (a page to the process
    that parsed it); the others are dealt out to even the shares. In a child of
    `parse_shares`, this does the child's share, sends it and exits. The parent uses
    those children, or forks new ones for this alone when there are none.
    """
    global _team
    if _team is None:
        if jobs <= 1 or len(items) < MIN_ITEMS or not hasattr(os, "fork"):
            return work(items)
        _team = _start_team(jobs)
    team = _team
    places = _deal(items, team.jobs, owner)
    shares = [[] for _ in range(team.jobs)]
    for item, place in zip(items, places, strict=True):
        shares[place].append(item)
    if team.index > 0:  # a child: its share, and done
        status = 1
        try:
            _send_parts(team.writer, work(shares[team.index]))
            status = 0
        finally:
            os._exit(status)
    results = [work(shares[0])]
    for index in range(1, team.jobs):
        result = None
        if index in team.children:
            result = _receive_parts(team.children[index].reader)
            _dismiss(team, index)
        if not (isinstance(result, list) and len(result) == len(shares[index])):
            result = work(shares[index])
        results.append(result)
    finish()  # the team's work is done
    taken = [iter(result) for result in results]
    return [next(taken[place]) for place in places]


def finish() -> None:
    """End the build's team: a child leaves at once; the parent stops its children."""
    global _team
    team, _team = _team, None
    if team is None:
        return
    if team.index > 0:
        os._exit(0)  # a child that did not get to render (the build stopped early)
    for index in list(team.children):
        _dismiss(team, index)


def _start_team(jobs: int) -> _Team:
    """Fork `jobs` - 1 children, each with a pipe each way to the parent. Returns this
    process's place: in the parent the team, in a child its own index and pipe ends."""
    team = _Team(jobs)
    for index in range(1, jobs):
        from_child, to_parent = os.pipe()
        from_parent, to_child = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            for child in team.children.values():  # its siblings' pipes are not its own
                os.close(child.reader)
                os.close(child.writer)
            os.close(from_child)
            os.close(to_child)
            return _Team(jobs, index, reader=from_parent, writer=to_parent)
        os.close(to_parent)
        os.close(from_parent)
        team.children[index] = _Child(pid, from_child, to_child)
    return team


def _deal(items: Sequence, jobs: int, owner: Callable) -> list[int]:
    """Each item's share index: its owner's, else the smallest share's so far. Every
    process computes the same answer from the same items."""
    places = [owner(item) for item in items]
    places = [p if isinstance(p, int) and 0 <= p < jobs else None for p in places]
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


def _dismiss(team: _Team, index: int) -> None:
    child = team.children.pop(index)
    for fd in (child.reader, child.writer):
        with contextlib.suppress(OSError):
            os.close(fd)
    with contextlib.suppress(OSError):  # it may be blocked sending, or already gone
        os.kill(child.pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(child.pid, 0)


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

    Unbuffered, reading exactly one message: a child sends two on the same pipe."""
    try:
        size = int.from_bytes(_read(fd, 8), "little")
        data = _read(fd, size)
        if size == 0 or len(data) != size:
            return None
        return pickle.loads(data)  # our own process's bytes, never a file from anywhere
    except (OSError, pickle.UnpicklingError, EOFError, ValueError):
        return None


def _read(fd: int, n: int) -> bytearray:
    """Exactly n bytes (fewer if the pipe closes), read in place: a child's share of the
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
