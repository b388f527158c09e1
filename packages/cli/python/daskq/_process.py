"""The daskq process a cluster owns, and the JSON-lines protocol spoken over its stdin/stdout.

Nothing listens on a port: commands go to the process's standard input, replies and events come
from its standard output, its logs from standard error. When this Python process exits or dies,
the pipe closes and daskq closes the cluster (cancels every job, stops the scheduler).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import os
import shutil
from typing import Any, Callable

from ._version import PROTOCOL_VERSION, __version__

logger = logging.getLogger("daskq")

#: Where the daskq CLI sits next to this package inside the npm package: python/daskq -> dist/bin.js
_BUNDLED_CLI = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "dist", "bin.js")


class DaskqNotFound(RuntimeError):
    """Node.js or the daskq command line cannot be found."""


class DaskqError(RuntimeError):
    """daskq refused a command for a reason other than a bad value (e.g. a batch command failed)."""


class ProtocolMismatch(RuntimeError):
    """The daskq found speaks another protocol version than this Python package."""


def find_node() -> str:
    """``$DASKQ_NODE``, else ``node`` on PATH."""
    given = os.environ.get("DASKQ_NODE")
    if given:
        if not os.access(given, os.X_OK):
            raise DaskqNotFound(f"DASKQ_NODE={given} is not an executable file; point it at Node.js >= 20 (node)")
        return given
    found = shutil.which("node")
    if not found:
        raise DaskqNotFound(
            "daskq needs Node.js >= 20 and found no 'node' on PATH: install it (e.g. apt-get install nodejs, "
            "or https://nodejs.org) or set DASKQ_NODE to its path"
        )
    return found


def find_cli() -> str:
    """``$DASKQ_CLI``, else the CLI shipped beside this package (npm package), else ``daskq`` on PATH."""
    given = os.environ.get("DASKQ_CLI")
    if given:
        if not os.path.isfile(given):
            raise DaskqNotFound(f"DASKQ_CLI={given} is not a file; point it at the daskq CLI (.../@daskq/cli/dist/bin.js)")
        return given
    if os.path.isfile(_BUNDLED_CLI):
        return os.path.normpath(_BUNDLED_CLI)
    on_path = shutil.which("daskq")
    if on_path:
        return os.path.realpath(on_path)
    raise DaskqNotFound(
        "cannot find the daskq command line: install the npm package (npm install -g @daskq/cli), build this "
        "checkout (npx turbo run build), or set DASKQ_CLI to its dist/bin.js"
    )


class DaskqProcess:
    """One ``daskq control --stdio`` child process, driven from an asyncio loop."""

    def __init__(self, on_event: Callable[[dict], None], on_log: Callable[[str], None]):
        self._on_event = on_event
        self._on_log = on_log
        self._proc: asyncio.subprocess.Process | None = None
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future] = {}
        self._tasks: list[asyncio.Task] = []
        self.daskq_version: str | None = None

    async def start(self, verbose: bool = False) -> None:
        """Starts daskq and checks its hello (protocol version)."""
        args = [find_node(), find_cli(), "control", "--stdio"] + (["--verbose"] if verbose else [])
        self._proc = await asyncio.create_subprocess_exec(
            *args,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            # Its own session: a Ctrl-C in this terminal is for Python; daskq ends when the pipe closes.
            start_new_session=True,
            limit=2**24,
        )
        line = await self._proc.stdout.readline()
        try:
            hello = json.loads(line)
        except ValueError:
            err = (await self._proc.stderr.read()).decode(errors="replace")
            raise DaskqError(f"daskq ({' '.join(args)}) did not start: {line.decode(errors='replace')}{err}") from None
        self.daskq_version = hello.get("daskq")
        if hello.get("event") != "hello" or hello.get("protocol") != PROTOCOL_VERSION:
            self._proc.stdin.close()
            raise ProtocolMismatch(
                f"daskq {self.daskq_version} ({args[1]}) speaks control protocol {hello.get('protocol')}, "
                f"this Python package daskq {__version__} speaks {PROTOCOL_VERSION}: use the Python package "
                f"shipped with that daskq (daskq python-path) or set DASKQ_CLI to a daskq {__version__}"
            )
        self._tasks = [asyncio.ensure_future(self._read_stdout()), asyncio.ensure_future(self._read_stderr())]

    async def request(self, op: str, **fields: Any) -> Any:
        """Sends one command and waits for its reply; a failed command raises (see ``_raise``)."""
        if self._proc is None or self._proc.returncode is not None or self._proc.stdin.is_closing():
            raise DaskqError("the daskq process is not running (the cluster is closed)")
        ident = next(self._ids)
        future = asyncio.get_running_loop().create_future()
        self._waiting[ident] = future
        message = {"id": ident, "op": op}
        message.update({k: v for k, v in fields.items() if v is not None})
        self._proc.stdin.write((json.dumps(message) + "\n").encode())
        await self._proc.stdin.drain()
        reply = await future
        if reply.get("ok"):
            return reply.get("result")
        _raise(reply.get("error") or {})

    async def finish(self, timeout: float = 120) -> None:
        """Closes daskq's stdin (it closes the cluster, if any) and waits for it to exit."""
        proc = self._proc
        if proc is None:
            return
        if not proc.stdin.is_closing():
            proc.stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), timeout)
        except asyncio.TimeoutError:
            logger.warning("daskq did not exit within %s s after its input closed; killing it (its watchdog cancels the jobs)", timeout)
            proc.kill()
            await proc.wait()
        for task in self._tasks:
            await task

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    async def _read_stdout(self) -> None:
        while True:
            line = await self._proc.stdout.readline()
            if not line:
                break
            try:
                message = json.loads(line)
            except ValueError:
                logger.warning("daskq wrote a line that is not JSON: %r", line[:200])
                continue
            if "event" in message:
                try:
                    self._on_event(message)
                except Exception:  # an event handler's bug must not stop the replies
                    logger.exception("handling daskq event %s", message.get("event"))
            elif message.get("id") in self._waiting:
                future = self._waiting.pop(message["id"])
                if not future.done():
                    future.set_result(message)
        gone = DaskqError("the daskq process ended")
        for future in self._waiting.values():
            if not future.done():
                future.set_exception(gone)
        self._waiting.clear()

    async def _read_stderr(self) -> None:
        while True:
            line = await self._proc.stderr.readline()
            if not line:
                break
            self._on_log(line.decode(errors="replace").rstrip("\n"))


def _raise(error: dict) -> None:
    message = error.get("message", "daskq failed")
    kind = error.get("type")
    if kind == "config":
        raise ValueError(message)
    if kind == "usage":
        raise TypeError(message)
    raise DaskqError(message)
