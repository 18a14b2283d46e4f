"""Running the companion: waitress on 127.0.0.1, a rotating log, background work.

Never Flask's development server, never the debugger, never an address but
the loopback one::

    server = Server.open(home, port=47615)     # binds, or raises PortBusy
    server.run()                               # until SIGTERM / Ctrl-C

The socket is bound here (not by waitress) so that a busy port gives a clear
error, port 0 gives a free one, and the Host check knows the real port.
"""

from __future__ import annotations

import json
import logging
import signal
import socket
import threading
import time
from pathlib import Path

from collections import OrderedDict

from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import create_server
from waitress.task import ErrorTask

from himaya.companion.app import create_app
from himaya.companion.guard import _REASONS, BODY_CAPS, Guard
from himaya.companion.outbox import Outbox
from himaya.core.scanner import settle_memory
from himaya.listening import PortBusy, listen, private_log  # noqa: F401 (PortBusy: raised by bind)

HOST = "127.0.0.1"
LOG_FILE = "companion.log"
PURGE_EVERY = 3600.0

log = logging.getLogger("himaya")


def bind(port: int, host: str = HOST) -> socket.socket:
    """A listening socket on the loopback address; refuses any other host."""
    if host != HOST:
        raise ValueError(f"the companion binds {HOST} only, not {host!r}")
    return listen(host, port)


def setup_logging(home: Path, level=logging.INFO) -> logging.Handler:
    """Log to ``home/logs/companion.log``, rotated at 1 MB, five files kept, mode 0600."""
    return private_log(home, LOG_FILE, ("himaya", "waitress"), level)


class _Refusal:
    """The guard's answer to a request refused on its headers (see _Parser)."""

    def __init__(self, status: int, body: bytes, headers=()):
        self.code, self.body, self.headers = status, body, list(headers)
        self.reason = _REASONS.get(status, "Bad Request")


class _JsonErrorTask(ErrorTask):
    """waitress's own refusals (malformed request, body over its cap) in JSON
    too, and the guard's refusals made on the headers alone."""

    def execute(self):
        problem = self.request.error
        if isinstance(problem, _Refusal):
            body = problem.body
            self.response_headers.extend([("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff"),
                                          *problem.headers])
        else:
            code = {413: "too_large", 431: "too_large"}.get(problem.code, "bad_request")
            body = json.dumps({"error": code, "detail": problem.reason}).encode("utf-8")
        self.status = f"{problem.code} {problem.reason}"
        self.response_headers.append(("Content-Type", "application/json"))
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class _Parser(HTTPRequestParser):
    """waitress's request parser, with the guard's header checks run as soon as
    the headers are in: a request refused on its Host, Origin, token, size or
    content type is answered (and its connection closed) before one byte of its
    body is read, and a valid token marks the connection as the extension's."""

    def __init__(self, adj, channel):
        super().__init__(adj)
        self.channel = channel

    def parse_header(self, header_plus):
        super().parse_header(header_plus)
        h = self.headers
        refusal, authenticated = self.channel.front.guard.check_headers({
            "REQUEST_METHOD": self.command, "PATH_INFO": self.path, "HTTP_HOST": h.get("HOST", ""),
            "HTTP_ORIGIN": h.get("ORIGIN"), "HTTP_X_HIMAYA_TOKEN": h.get("X_HIMAYA_TOKEN"),
            "CONTENT_LENGTH": h.get("CONTENT_LENGTH", ""), "CONTENT_TYPE": h.get("CONTENT_TYPE", ""),
            "HTTP_TRANSFER_ENCODING": h.get("TRANSFER_ENCODING", "")})
        if authenticated:
            self.channel.front.trust(self.channel)
        if refusal:
            self.error = _Refusal(*refusal)
            self.completed, self.expect_continue = True, False
            self.body_rcv, self.content_length, self.chunked = None, 0, False


class _Channel(HTTPChannel):
    """A connection, as waitress's channel plus what `_Front` needs to know."""

    error_task_class = _JsonErrorTask
    front: "_Front"  # set per server (see Server.__init__)

    def __init__(self, server, sock, addr, adj, map=None):
        super().__init__(server, sock, addr, adj, map)
        self.front.opened(self)

    def parser_class(self, adj):
        return _Parser(adj, self)

    def received(self, data):
        done = super().received(data)
        if self.requests:  # a whole request came in: the next one has its own deadline
            self.front.renew(self)
        return done

    def readable(self):
        if self.front.overdue(self):
            self.will_close = True  # waitress closes it on this turn of its loop
        return super().readable()

    def handle_close(self):
        self.front.closed(self)
        super().handle_close()


class _Front:
    """Connection limits in front of the application (slowloris).

    A connection that has not yet shown the token ("pending") must deliver a
    whole request within REQUEST_DEADLINE seconds of being opened (or of its
    previous request): a deadline that trickled bytes do not push back, unlike
    waitress's idle timeout. A client address holds at most PENDING_PER_CLIENT
    pending connections: a new one closes the oldest. A connection whose request
    carried a valid token is the extension's (or a script's of the same account)
    and leaves these limits, so slow strangers can never take its place; on
    loopback every program has the same address, so this is one cap for all.
    """

    PENDING_PER_CLIENT = 32
    REQUEST_DEADLINE = 5.0

    def __init__(self, guard):
        self.guard = guard
        self._pending: dict[str, OrderedDict] = {}
        self._lock = threading.Lock()
        self.evicted = 0

    def opened(self, channel) -> None:
        with self._lock:
            queue = self._pending.setdefault(channel.addr[0] if channel.addr else "", OrderedDict())
            queue[channel] = time.monotonic() + self.REQUEST_DEADLINE
            while len(queue) > self.PENDING_PER_CLIENT:
                oldest, _ = queue.popitem(last=False)
                oldest.will_close = True
                self.evicted += 1

    def _queue(self, channel):
        return self._pending.get(channel.addr[0] if channel.addr else "")

    def trust(self, channel) -> None:
        """The connection showed the token (or closed): it is no longer pending."""
        with self._lock:
            queue = self._queue(channel)
            if queue is not None:
                queue.pop(channel, None)

    closed = trust

    def renew(self, channel) -> None:
        with self._lock:
            queue = self._queue(channel)
            if queue is not None and channel in queue:
                queue[channel] = time.monotonic() + self.REQUEST_DEADLINE
                queue.move_to_end(channel)

    def overdue(self, channel) -> bool:
        queue = self._queue(channel)
        deadline = queue.get(channel) if queue else None
        return deadline is not None and not channel.requests and time.monotonic() > deadline


def load_rules(home: Path, settings: dict):
    """The rules holder: the active signed list of this data folder, kept up to date."""
    from himaya.bundles.updater import RuleManager
    from himaya.companion import config as settings_mod

    manager = RuleManager(home, settings, settings_source=lambda: settings_mod.load(home))
    manager.start_polling()
    return manager


class Server:
    """One running companion: socket, app, waitress, outbox and retention threads."""

    def __init__(self, sock, app, threads: int):
        self.sock = sock
        self.app = app
        self.port = sock.getsockname()[1]
        self.companion = app.extensions["himaya"]
        self._stop = threading.Event()
        # connection_limit: waitress stops accepting past it, so it is set well
        # above what _Front lets strangers hold (the extension keeps its slot);
        # cleanup_interval: how often idle connections are looked at.
        self._waitress = create_server(app, sockets=[sock], threads=threads, ident="",
                                       max_request_body_size=max(BODY_CAPS.values()) + 65536,
                                       asyncore_use_poll=True, channel_timeout=60, connection_limit=1000,
                                       cleanup_interval=5)
        guard = app.wsgi_app
        assert isinstance(guard, Guard), "the app must be create_app()'s, behind its Guard"
        self.front = _Front(guard)
        self._waitress.channel_class = type("GuardedChannel", (_Channel,), {"front": self.front})
        self._threads: list[threading.Thread] = []

    @classmethod
    def open(cls, home: Path, port: int, extension_ids=(), threads: int = 8, rules=None,
             app_config: dict | None = None) -> "Server":
        """Bind, build the app (``app_config`` adds create_app keys), ready to ``run()``."""
        from himaya.companion import config as settings_mod

        settings = settings_mod.load(home)
        sock = bind(port)
        try:
            rules = rules or load_rules(home, settings)
            app = create_app({**(app_config or {}), "HOME": home, "PORT": sock.getsockname()[1], "RULES": rules,
                              "EXTENSION_IDS": list(extension_ids)})
        except BaseException:
            sock.close()
            raise
        settle_memory()  # the compiled rules out of the collector's way (see scanner.py)
        return cls(sock, app, threads)

    def _background(self, target, name):
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _retention(self):
        while not self._stop.is_set():
            try:
                days = self.companion.settings()["retention-days"]
                removed = self.companion.store.purge(days)
                if removed:
                    log.info("retention: %d old metadata rows removed", removed)
            except Exception as exc:
                log.warning("retention purge skipped: %s", exc.__class__.__name__)
            self._stop.wait(PURGE_EVERY)

    def run(self) -> None:
        """Serve until SIGTERM or Ctrl-C, then stop cleanly."""
        outbox = Outbox(self.companion.store, self.companion.settings)
        self._background(lambda: outbox.run(self._stop, self.companion.outbox_wakeup), "himaya-outbox")
        self._background(self._retention, "himaya-retention")
        from himaya.companion.feedback_counts import FeedbackCounts

        counts = FeedbackCounts(self.companion.store, self.companion.settings, self.companion.rules.status)
        self._background(lambda: counts.run(self._stop), "himaya-feedback-counts")

        def terminate(signum, frame):
            raise SystemExit(0)

        previous = signal.signal(signal.SIGTERM, terminate)
        log.info("serving on %s:%d", HOST, self.port)
        started = time.monotonic()
        try:
            self._waitress.run()
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            signal.signal(signal.SIGTERM, previous)
            self.close()
            log.info("stopped after %.0f s", time.monotonic() - started)

    def close(self) -> None:
        self._stop.set()
        self.companion.outbox_wakeup.set()
        self._waitress.close()
        self.companion.store.flush(5.0)  # warnings' metadata still queued
        stop = getattr(self.companion.rules, "stop", None)
        if stop:
            stop()
