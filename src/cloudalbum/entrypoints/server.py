"""`cloudalbum serve`: the API (waitress, in this process), N worker processes, and a maintenance thread
(one per service: `serve` is one process; CLOUDALBUM_MAINTENANCE_INTERVAL_S=0 leaves it out where a scheduled
function does maintenance, as in the AWS shape).

Workers are separate processes (multiprocessing spawn; each builds its own container and loads the model), so
detection never competes with the API for the GIL. A worker that dies unexpectedly is restarted with backoff;
a worker that exits because the model is missing or corrupt stops the whole service with that message,
because every other worker would fail the same way.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..config import Settings

log = logging.getLogger("cloudalbum.server")

EXIT_MODEL_UNAVAILABLE = 3
WAITRESS_THREADS = 8
SUPERVISE_EVERY_S = 0.5
BACKOFF_MAX_S = 30.0
HEALTHY_AFTER_S = 60.0  # a worker that ran this long resets its restart backoff
STOP_GRACE_S = 30.0
BODY_OVERHEAD_BYTES = 1024 * 1024  # API.md: a body over max_upload_bytes plus this is refused before it is read
WORKER_NICENESS = 10  # bench/ingest.py: 3 MB upload p99 while processing 157-241 ms at 0, 95-116 ms at 10


def worker_process_main(settings: Settings) -> None:
    """Entry point of one worker process: its own container, the same loop as `cloudalbum worker`."""
    from .. import bootstrap
    from ..domain.errors import ModelUnavailable
    from .worker import limit_memory, run_worker

    logging.basicConfig(level=logging.INFO, format=f"%(asctime)s worker[{os.getpid()}] %(levelname)s %(message)s")
    try:
        os.nice(WORKER_NICENESS)  # uploads first: the API gets the CPU it needs, detection every cycle left over
    except OSError:
        pass
    limit_memory(settings.worker_memory_limit_mib)  # one image never takes the machine (or the API) down
    stop = threading.Event()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the parent decides
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())  # the parent's stop: finish the batch
    container = bootstrap.build(settings)
    try:
        run_worker(container, stop_event=stop)
    except ModelUnavailable as exc:
        print(f"cloudalbum worker: the detection model is unavailable: {exc.message}", file=sys.stderr, flush=True)
        sys.exit(EXIT_MODEL_UNAVAILABLE)
    finally:
        container.close()


class ServeError(Exception):
    """The service cannot start (for example, the port is taken): a message for the operator."""


@dataclass
class _Slot:
    process: Any = None
    started_at: float = 0.0
    failures: int = 0
    restart_at: float = 0.0


@dataclass
class WorkerSupervisor:
    """Keeps n worker processes alive; calls on_fatal(message) when one reports an unusable model."""

    settings: Settings
    n: int
    on_fatal: Callable[[str], None]
    target: Callable[[Settings], None] = worker_process_main
    slots: list[_Slot] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._ctx = multiprocessing.get_context("spawn")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="worker-supervisor", daemon=True)

    def start(self) -> None:
        self.slots = [_Slot() for _ in range(self.n)]
        for slot in self.slots:
            self._spawn(slot)
        if self.n:
            self._thread.start()

    def _spawn(self, slot: _Slot) -> None:
        slot.process = self._ctx.Process(target=self.target, args=(self.settings,), name="cloudalbum-worker")
        slot.process.start()
        slot.started_at = time.monotonic()
        log.info("worker process %s started", slot.process.pid)

    def _loop(self) -> None:
        while not self._stop.wait(SUPERVISE_EVERY_S):
            for slot in self.slots:
                self._check(slot)

    def _check(self, slot: _Slot) -> None:
        now = time.monotonic()
        proc = slot.process
        if proc is not None and proc.is_alive():
            if now - slot.started_at > HEALTHY_AFTER_S:
                slot.failures = 0
            return
        if self._stop.is_set():
            return
        if proc is not None:
            code = proc.exitcode
            slot.process = None
            if code == EXIT_MODEL_UNAVAILABLE:
                self.on_fatal("a worker could not load the detection model (see the message above); "
                              "fix CLOUDALBUM_MODEL_PATH or reinstall the model package")
                return
            slot.failures += 1
            delay = min(BACKOFF_MAX_S, 2.0 ** (slot.failures - 1))
            slot.restart_at = now + delay
            log.warning("worker process %s exited with %s; restarting in %.0f s", proc.pid, code, delay)
        if now >= slot.restart_at:
            self._spawn(slot)

    def stop(self, grace_s: float = STOP_GRACE_S) -> None:
        """SIGTERM every worker (each finishes its batch), then kill what is left after grace_s."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        procs = [s.process for s in self.slots if s.process is not None]
        for p in procs:
            if p.is_alive():
                p.terminate()
        deadline = time.monotonic() + grace_s
        for p in procs:
            p.join(max(0.1, deadline - time.monotonic()))
            if p.is_alive():
                p.kill()
                p.join(5)


class MaintenanceThread(threading.Thread):
    """Calls container.maintenance.run_once() every interval (tolerates a missing or failing service)."""

    def __init__(self, container: Any, interval_s: float) -> None:
        super().__init__(name="maintenance", daemon=True)
        self.container, self.interval_s = container, interval_s
        self.stop_event = threading.Event()

    def run(self) -> None:
        """Once at start (repairs what a crash before this start left behind), then every interval."""
        while True:
            try:
                report = self.container.maintenance.run_once()
                as_dict = getattr(report, "as_dict", None)
                log.debug("maintenance: %s", as_dict() if as_dict is not None else report)
            except ImportError:
                log.info("maintenance service not available; the maintenance thread stops")
                return
            except Exception:  # maintenance must never take the server down
                log.exception("maintenance run failed")
            if self.stop_event.wait(self.interval_s):
                return


def waitress_options(settings: Settings) -> dict[str, Any]:
    """waitress adjustments every server of ours uses.

    max_request_body_size: waitress answers 413 and closes as soon as a Content-Length says more, or a chunked
    body has brought more, than the upload limit plus overhead (its default is 1 GiB, spooled to disk first).
    Proxy headers are not cleared by waitress: it trusts one address at most, while ClientAddressMiddleware
    (entrypoints/api/proxy.py) trusts the CIDRs of CLOUDALBUM_TRUSTED_PROXIES and drops them from anyone else."""
    return {"threads": WAITRESS_THREADS, "clear_untrusted_proxy_headers": False,
            "max_request_body_size": settings.max_upload_bytes + BODY_OVERHEAD_BYTES}


def serve(settings: Settings, *, announce: Callable[[str], None] = print) -> int:
    """Run until SIGTERM/SIGINT. Returns the process exit code (EXIT_MODEL_UNAVAILABLE when workers cannot
    load the model)."""
    from waitress.server import create_server

    from .. import bootstrap
    from .api import create_app

    container = bootstrap.build(settings)
    _ = container.store, container.queue  # open (and migrate) the stores now: fail before serving, not on a request
    app = create_app(container)
    try:
        server = create_server(app, host=settings.host, port=settings.port, **waitress_options(settings))
    except OSError as exc:
        container.close()
        raise ServeError(f"cannot listen on {settings.host}:{settings.port}: {exc.strerror or exc} "
                         "(is another server running there? choose one with --port)") from exc
    fatal: list[str] = []

    def stop_server(message: str | None = None) -> None:
        if message:
            fatal.append(message)
        os.kill(os.getpid(), signal.SIGTERM)

    def on_signal(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt  # waitress's run() catches it, stops its task threads and returns

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    supervisor = WorkerSupervisor(settings, settings.workers, on_fatal=stop_server)
    maintenance = MaintenanceThread(container, settings.maintenance_interval_s)
    try:
        supervisor.start()
        if settings.maintenance_interval_s > 0:
            maintenance.start()
        port = getattr(server, "effective_port", settings.port)
        announce(f"cloudalbum serving on http://{settings.host}:{port}/ "
                 f"({settings.workers} worker process(es), data in {settings.data_dir})")
        try:
            server.run()
        except KeyboardInterrupt:
            pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        maintenance.stop_event.set()
        supervisor.stop()
        server.close()
        container.close()
    if fatal:
        print(f"cloudalbum: stopped: {fatal[0]}", file=sys.stderr, flush=True)
        return EXIT_MODEL_UNAVAILABLE
    return 0
