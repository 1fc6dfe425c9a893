"""The Ray executor (`nlen translate --executor ray`), on Ray Data.

The driver plans the tasks (pipeline/job/run.py's `Plan`: JSONL shards as byte
ranges, groups of small articles with their text) and skips those whose
done-marker is there. The tasks flow through `map_batches` into a fixed pool
of actors (`ActorPoolStrategy`): each actor loads the model once, and runs
whole tasks with the same `tasks.process_task` as the local executor —
translate, align, repair, write — returning only a status, which the driver
counts into one progress bar and the end-of-run summary.

An actor that dies is restarted by Ray and its task is retried: the task is
redone from scratch, and its outputs are committed as a unit (manifest last),
so nothing is duplicated or lost. Resuming relies on those done-markers, not on
Ray's own checkpointing (which applies only to pipelines that start with a
read and end with a write).
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import signal
import socket
import sys
import threading
import time
from contextlib import contextmanager, suppress
from typing import Any

from pipeline.corpus.write import remove_stale_temps
from pipeline.errors import UserError
from pipeline.job.spec import resolved_device
from pipeline.job.tasks import process_task
from pipeline.job.worker import open_translator, run_context

log = logging.getLogger(__name__)


class ShardWorker:
    """One Ray actor: the model, loaded once, and the shared task code."""

    def __init__(self, job, config: str, device: str):

        logging.getLogger("pipeline").setLevel(logging.WARNING)
        self._threads(job.cpus_per_worker)
        remove_stale_temps(job.out_dir)  # left by an actor of this host that died
        self.error = None
        try:
            self.translator = open_translator(job, device)  # the device the driver resolved, not this node's guess
            self.ctx = run_context(job, self.translator, config)
        except UserError as exc:
            # A model or cache that cannot be used: told to the driver with the first task's
            # status, which stops the run with this one line. An actor that died of it instead
            # would print Ray's tracebacks and be restarted to fail again.
            self.error = str(exc)

    @staticmethod
    def _threads(cpus: float) -> None:
        n = max(1, int(cpus))
        os.environ["OMP_NUM_THREADS"] = str(n)  # CTranslate2's thread count (pipeline/translate/ctranslate2_backend.py)
        try:
            import torch

            torch.set_num_threads(n)
        except ImportError:  # pragma: no cover - torch is a dependency
            pass

    def __call__(self, batch: dict) -> dict:
        import numpy as np

        statuses = []
        if self.error:
            return {
                "status": np.array(
                    [json.dumps({"error": self.error}, allow_nan=False)] * len(batch["task"]), dtype=object
                )
            }
        for blob in batch["task"]:
            with _Warnings() as warned:  # the pipeline's own warnings travel with the status
                try:
                    status = process_task(pickle.loads(blob), self.translator, self.ctx)
                except UserError as exc:  # e.g. the disk is full: told to the driver, which stops
                    status = {"error": str(exc)}
            if "error" not in status:
                status["warnings"] = warned.messages + status["warnings"]
            statuses.append(json.dumps(status, allow_nan=False))
        return {"status": np.array(statuses, dtype=object)}


class _Warnings(logging.Handler):
    """Collects what the `pipeline` loggers warn about while a task runs (an
    actor's stderr does not reach the driver)."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())

    def __enter__(self) -> _Warnings:
        logging.getLogger("pipeline").addHandler(self)
        return self

    def __exit__(self, *exc) -> None:
        logging.getLogger("pipeline").removeHandler(self)


def connect(job) -> bool:
    """Join the cluster (--ray-address, else $RAY_ADDRESS) or start Ray on this
    machine; a Ray already initialised in this process is used as it is.
    Returns True when this call connected (and the caller should disconnect)."""
    import ray

    if ray.is_initialized():
        return False
    address = job.ray_address or os.environ.get("RAY_ADDRESS")
    if address:
        check_reachable(address)  # else ray.init retries, for minutes, on another address
    options: dict[str, Any] = {"include_dashboard": False, "logging_level": logging.ERROR, "log_to_driver": False}
    _no_auto_init(ray)
    try:
        with _quiet_native_stderr():
            if address:
                ray.init(address=address, **options)
            else:
                ray.init(**options)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        where = f"the Ray cluster at {address}" if address else "a local Ray instance"
        raise UserError(f"cannot connect to {where}: {' '.join(str(exc).split())[:200]}") from None
    return True


def _no_auto_init(ray) -> None:
    """Ray starts a new local instance when its API is called while it is not connected, and
    Ray Data's threads do call it after ray.shutdown() (an interrupted run started a second
    instance): off, as RAY_ENABLE_AUTO_CONNECT=0 turns it off when set before Ray is imported."""
    hook = getattr(getattr(ray, "_private", None), "auto_init_hook", None)
    if hook is not None and hasattr(hook, "enable_auto_connect"):
        hook.enable_auto_connect = False


REACH_SECONDS = 5.0  # how long a cluster's address may take to accept a connection


def check_reachable(address: str) -> None:
    """Refuse (UserError, one line naming `address`) a cluster address where nothing accepts
    a TCP connection within REACH_SECONDS. `auto` is checked at the address it stands for;
    an address without a port is left to Ray."""
    target: str | None = address
    if address == "auto":
        try:
            from ray._private.services import get_ray_address_from_environment

            target = get_ray_address_from_environment("auto", None)
        except Exception:  # noqa: BLE001 - no cluster found: ray.init says so in one line
            return
    host, port = _host_port(target or "")
    if port is None:
        return
    try:
        with socket.create_connection((host, port), timeout=REACH_SECONDS) as conn:
            grpc = _speaks_grpc(conn)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise UserError(
            f"cannot connect to the Ray cluster at {address}: nothing answers at {host}:{port} ({reason})"
        ) from None
    if not grpc:  # an HTTP server or anything else: ray.init would retry it for minutes
        raise UserError(
            f"cannot connect to the Ray cluster at {address}: {host}:{port} answers, but not as a Ray cluster "
            "(no gRPC); check the address and port (the head node's GCS port, 6379 by default, or ray://…:10001)"
        )


# The HTTP/2 connection preface and an empty SETTINGS frame: a gRPC server (Ray's GCS and its
# client server are) answers with a SETTINGS frame of its own.
_HTTP2_HELLO = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"


def _speaks_grpc(conn: socket.socket) -> bool:
    """Whether the peer of `conn` answers HTTP/2 (gRPC) within REACH_SECONDS: its first frame
    is a SETTINGS frame (type 4)."""
    try:
        conn.sendall(_HTTP2_HELLO)
        head = b""
        while len(head) < 9:
            chunk = conn.recv(9 - len(head))
            if not chunk:
                break
            head += chunk
    except OSError:
        return False
    return len(head) == 9 and head[3] == 0x04


def _host_port(address: str) -> tuple[str, int | None]:
    """`host:port`, `[v6]:port` or `ray://host:port` as (host, port); port None if there is none."""
    rest = address.split("://", 1)[-1].split("/", 1)[0]
    host, sep, port = rest.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        return rest, None
    return host.strip("[]") or "localhost", int(port)


@contextmanager
def _quiet_native_stderr():
    """Ray's C++ core, while it starts, writes log lines straight to file descriptor 2
    (one whatever RAY_BACKEND_LOG_LEVEL says): fd 2 points at /dev/null for that time,
    unless debugging. Nothing of ours writes to stderr meanwhile."""
    if log.isEnabledFor(logging.DEBUG):
        yield
        return
    os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "fatal")  # its later lines: only fatal ones
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def pool_size(job, tasks: int) -> int:
    """--workers, else as many actors as the cluster's CPUs (or GPUs) hold; never more than the tasks."""
    import ray

    if job.workers:
        return min(job.workers, tasks)
    have = ray.cluster_resources()
    fits = have.get("GPU", 0) / job.gpus_per_worker if job.gpus_per_worker else have.get("CPU", 0) / job.cpus_per_worker
    return max(1, min(int(fits), tasks))


def check_resources(job) -> None:
    """Refuse (UserError) a Ray cluster with fewer GPUs or CPUs than one worker asks for."""
    import ray

    have = ray.cluster_resources()
    if job.gpus_per_worker and have.get("GPU", 0) < job.gpus_per_worker:
        raise UserError(f"--gpus-per-worker {job.gpus_per_worker:g}: the Ray cluster has {have.get('GPU', 0):g} GPUs")
    if have.get("CPU", 0) < job.cpus_per_worker:
        raise UserError(f"--cpus-per-worker {job.cpus_per_worker:g}: the Ray cluster has {have.get('CPU', 0):g} CPUs")


def run_ray(plan, job, config: str, summary) -> None:
    """Run the plan's tasks on a pool of Ray actors, counting their statuses into `summary`.

    Ctrl-C (a KeyboardInterrupt, reported by the CLI) stops the run; Ray is started and
    stopped whole even then (SIGINT waits for either to end), and a local Ray instance this
    run started is stopped with every process it started (see `disconnect`)."""
    tasks = task_descriptors(plan)
    if not tasks:
        return
    with sigint_deferred():
        import ray
        import ray.data  # noqa: F401 - before connecting: a broken install fails before anything starts

        ours = _children()
        started_here = connect(job)
        ours = _children() - ours if started_here else set()
    try:
        check_resources(job)
        statuses = map_tasks(tasks, job, config)
        count_statuses(statuses, len(tasks), job, summary)
    except Exception as exc:
        cause = _user_error(exc)
        if cause is None:
            raise
        raise cause from None
    finally:
        with sigint_deferred():
            if started_here:
                disconnect(ours)
            remove_stale_temps(job.out_dir)  # after the actors are gone: none is writing


@contextmanager
def sigint_deferred():
    """SIGINT held until the block ends, then raised as KeyboardInterrupt: Ray started or
    stopped half way leaves processes behind (and Ray's threads print tracebacks). Only in
    the main thread (the one Python delivers signals to); a block that raises keeps its error."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught and previous is signal.default_int_handler:
        raise KeyboardInterrupt
    if caught and callable(previous):
        previous(signal.SIGINT, None)


def _children() -> set:
    """This process's child processes (psutil.Process objects: psutil comes with Ray);
    empty without psutil."""
    try:
        import psutil
    except ImportError:  # pragma: no cover - Ray ships it
        return set()
    return set(psutil.Process().children())


STOP_SECONDS = 5.0  # how long a process of a stopped Ray instance has to exit, after SIGTERM and after SIGKILL


def disconnect(started: set) -> None:
    """ray.shutdown(), then every process that `started` (the children ray.init started: GCS,
    raylet, …) and their descendants (the actors) ran, ended: the actors would otherwise
    outlive their raylet by about a minute. SIGTERM, then SIGKILL after a grace."""
    import ray

    if not started:
        ray.shutdown()
        return
    import psutil  # Ray's copy, which found `started`

    procs = set(started)
    for proc in started:
        with suppress(psutil.Error):  # gone already
            procs.update(proc.children(recursive=True))
    ray.shutdown()
    alive = list(procs)
    for stop in ("terminate", "kill"):
        for proc in alive:
            with suppress(psutil.Error):
                getattr(proc, stop)()  # psutil checks first that the pid is still that process
        _, alive = psutil.wait_procs(alive, timeout=STOP_SECONDS)
        if not alive:
            return


def task_descriptors(plan) -> list[bytes]:
    """The plan's tasks, pickled."""
    # Descriptors only: a shard travels as its byte range, and its worker reads it.
    tasks = []
    for task in plan.tasks():
        for unit in task.units:
            if unit.shard is not None:
                unit.shard = unit.shard.without_records()
                unit.documents = None
        tasks.append(pickle.dumps(task))
    return tasks


def map_tasks(tasks: list[bytes], job, config: str):
    """The statuses of the tasks run by a pool of `ShardWorker` actors, one task per
    block (a Ray dataset: the tasks run as its rows are read)."""
    import ray
    from ray.data import ActorPoolStrategy, DataContext

    context = DataContext.get_current()
    context.enable_progress_bars = False  # ours is the one bar, over shards
    workers = pool_size(job, len(tasks))
    context.max_consecutive_actor_init_deaths = 2 * workers  # a model that cannot load fails the run
    for name in ("ray", "ray.data"):
        logging.getLogger(name).setLevel(logging.ERROR)
    dataset = ray.data.from_items([{"task": t} for t in tasks], override_num_blocks=len(tasks))
    return dataset.map_batches(
        ShardWorker,
        fn_constructor_args=(job, config, resolved_device(job)),
        batch_size=1,
        batch_format="numpy",
        compute=ActorPoolStrategy(size=workers, max_tasks_in_flight_per_actor=1),
        num_cpus=job.cpus_per_worker,
        num_gpus=job.gpus_per_worker or None,
    )


def count_statuses(statuses, total: int, job, summary) -> None:
    """Read the tasks' statuses as they come into `summary`, their warnings into the log
    and the progress bar; a task's error stops the run (a UserError)."""
    from tqdm import tqdm
    from tqdm.contrib.logging import logging_redirect_tqdm

    started = time.perf_counter()
    with (
        logging_redirect_tqdm(),
        tqdm(
            total=total,
            unit="shard",
            desc="translate",
            file=sys.stderr,
            disable=not job.progress,
            dynamic_ncols=True,
        ) as bar,
    ):
        rows = iter(statuses.iter_rows())
        try:
            for row in rows:
                count_status(json.loads(row["status"]), summary, bar, started)
        finally:
            close = getattr(rows, "close", None)
            if close:
                close()


def count_status(status: dict, summary, bar, started: float) -> None:
    """One task's status: into `summary`, its warnings logged, the progress bar moved on."""
    if "error" in status:
        raise UserError(status["error"])
    summary.add(status)
    for message in status["warnings"]:
        log.warning("%s", message)
    seconds = max(time.perf_counter() - started, 1e-9)
    bar.set_postfix_str(
        f"{summary.documents / seconds:.2f} docs/s, {summary.sentences / seconds:.1f} sentences/s",
        refresh=False,
    )
    bar.update(1)


def _user_error(exc: BaseException) -> UserError | None:
    """The UserError behind an error Ray wraps (e.g. a model that cannot load):
    the innermost one, which holds the message without Ray's traceback."""
    found, seen = None, set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, UserError):
            found = current
        inner = getattr(current, "cause", None)
        if not isinstance(inner, BaseException):  # an ActorDiedError holds its RayTaskError in args
            inner = next((a for a in getattr(current, "args", ()) if isinstance(a, BaseException)), None)
        current = inner if isinstance(inner, BaseException) else (current.__cause__ or current.__context__)
    return found
