"""A warm interpreter for one Python environment: flytekit imported once, then a forked process per task attempt.

The local executor runs `<python> zygote.py <control fd> [<module> ...]` with the environment's own interpreter
(the one `pyflyte-execute` would run under), so this script imports nothing but the standard library and flytekit
(never flyteplane, which that environment may not have). It imports flytekit, its task entrypoints and the
configured `warm_imports`, says "ready" on the control socket and waits. Each request names an attempt folder and
carries the attempt's lock (a file descriptor, SCM_RIGHTS); the zygote forks a supervisor child, which

  - starts a session of its own and holds the lock for its whole life, exactly as supervise.py does for a cold
    attempt (same started.json / exit.json / abort files, same timeout, grace and process-group rules: the
    supervision loop is supervise.py's own, loaded from the file beside this one);
  - forks the task as a grandchild in its own process group, which becomes what `pyflyte-execute` /
    `pyflyte-map-execute` would be: the attempt's working directory, environment (os.environ replaced), argv,
    sys.path (PYTHONPATH applied as at interpreter start), stdin from /dev/null, stdout/stderr into the attempt's
    files, flytekit's loggers and default context rebuilt for that environment; then the entrypoint runs
    in-process and the process ends with its exit status (atexit handlers run, no interpreter teardown).

The reply carries the supervisor's pid and a pidfd for it, so the server waits on it without polling. The zygote
ends when its control socket closes (the server stopped or died) or its parent changes; attempts it started run
on, each under its own supervisor, and a restarted server adopts them from their files like cold ones.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import io
import json
import os
import select
import signal
import socket
import sys
import threading
import time
import traceback
import types
from typing import Any

__all__: list[str] = []  # a script: run by an environment's own interpreter, never imported

HERE = os.path.dirname(os.path.abspath(__file__))
ENTRYPOINTS = ("pyflyte-execute", "pyflyte-map-execute")
PREPARED = (  # imported before the first fork: what a task run would otherwise import first
    "flytekit",
    "flytekit.bin.entrypoint",
    "flytekit.core.python_auto_container",
    "flytekit.core.array_node_map_task",
    "flytekit.core.type_engine",
    "flytekit.tools.module_loader",
    "flytekit.types.file",
    "flytekit.types.directory",
    "flytekit.types.structured",
    "fsspec.implementations.local",
)
MAX_MESSAGE = 64 * 1024
PARENT_CHECK_SECONDS = 1.0
SUPERVISOR_NAME = b"fp-supervisor"
TASK_STDIO = ("stdin", "stdout", "stderr")


def _drop_own_folder() -> None:
    """The script's folder leads sys.path; it holds flyteplane's modules, which task code must never import."""
    while sys.path and sys.path[0] and os.path.realpath(sys.path[0]) == os.path.realpath(HERE):
        sys.path.pop(0)


def _load_supervise() -> Any:
    spec = importlib.util.spec_from_file_location("_flyteplane_supervise", os.path.join(HERE, "supervise.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _name_process(name: bytes) -> None:
    """Sets /proc/<pid>/comm (what ps and top show); best effort, Linux only."""
    with contextlib.suppress(Exception):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(15, ctypes.c_char_p(name[:15]), 0, 0, 0)  # PR_SET_NAME


def _send(control: socket.socket, message: dict[str, Any], fds: list[int] | None = None) -> None:
    data = json.dumps(message).encode()
    if fds:
        socket.send_fds(control, [data], fds)
    else:
        control.send(data)


def _ignore(_signum: int, _frame: object) -> None:
    """The C handler already wrote the signal number to the wakeup pipe."""


class Warm:
    """What was imported once: the entrypoints by name, the interpreter's pristine sys.path, supervise.py."""

    def __init__(self, imports: list[str]) -> None:
        from importlib import metadata

        self.base_path = list(sys.path)
        for name in PREPARED:
            importlib.import_module(name)
        scripts = {ep.name: ep for ep in metadata.entry_points(group="console_scripts") if ep.name in ENTRYPOINTS}
        self.entrypoints = {name: ep.load() for name, ep in scripts.items()}
        if not self.entrypoints:
            raise RuntimeError("flytekit's pyflyte-execute entrypoint is not installed in this environment")
        self.skipped: list[str] = []
        for name in imports:
            try:
                importlib.import_module(name)
            except Exception as e:  # a missing warm import costs its own import later, nothing else
                self.skipped.append(f"{name}: {e!r}")
        self.supervise = _load_supervise()
        _warm_caches(self.supervise)
        if threading.active_count() > 1:  # forking a process with threads could copy held locks
            names = ", ".join(t.name for t in threading.enumerate())
            raise RuntimeError(f"the warm imports started threads ({names}); forking would not be safe")
        import flytekit

        self.flytekit_version = str(getattr(flytekit, "__version__", "unknown"))
        sys.stdout.flush()
        sys.stderr.flush()
        import gc

        gc.collect()
        gc.freeze()  # what is imported now stays shared with every fork instead of being copied by the collector


def _warm_caches(supervise: Any) -> None:
    """Fills caches every task run would otherwise fill first (forks inherit them): compiled docstring-parser
    patterns, and the source lines of the modules whose frames flytekit's context manager inspects."""
    import linecache

    with contextlib.suppress(Exception):
        from flytekit.core.docstring import Docstring

        Docstring(docstring="Warm.\n\nArgs:\n    a: one\n\nReturns:\n    two\n")
        Docstring(docstring="Warm.\n\n:param a: one\n:return: two\n")
        Docstring(docstring="Warm.\n\nParameters\n----------\na : int\n    one\n")
    inspected = ["contextlib", "click.core", "flytekit.bin.entrypoint", "flytekit.core.base_task"]
    inspected += ["flytekit.core.context_manager", "flytekit.core.python_function_task", "flytekit.core.promise"]
    files = [os.path.abspath(__file__), getattr(supervise, "__file__", "")]
    files += [getattr(sys.modules.get(name), "__file__", "") for name in inspected]
    for path in files:
        if path:
            linecache.getlines(path)


# -- the zygote's loop -----------------------------------------------------------------------------------------


def serve(control: socket.socket, warm: Warm) -> int:
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w, warn_on_full_buffer=False)
    signal.signal(signal.SIGCHLD, _ignore)
    parent = os.getppid()
    own_fds = [control.fileno(), wake_r, wake_w]
    while True:
        ready, _, _ = select.select([control.fileno(), wake_r], [], [], PARENT_CHECK_SECONDS)
        if wake_r in ready:
            with contextlib.suppress(BlockingIOError):
                while os.read(wake_r, 4096):
                    pass
        _reap()
        if os.getppid() != parent:
            return 0  # the server is gone; its successor starts zygotes of its own
        if control.fileno() not in ready:
            continue
        try:
            data, fds, _flags, _address = socket.recv_fds(control, MAX_MESSAGE, 4)
        except OSError:
            return 0
        if not data:
            return 0  # the server closed the socket: stopped, died, or found this zygote idle
        _start(control, warm, data, fds, own_fds)


def _reap() -> None:
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _start(control: socket.socket, warm: Warm, data: bytes, fds: list[int], own_fds: list[int]) -> None:
    attempt_id = ""
    try:
        request = json.loads(data)
        attempt_id = str(request["id"])
        attempt_dir = str(request["dir"])
        if len(fds) != 1:
            raise ValueError(f"expected the attempt's lock, got {len(fds)} descriptors")
        lock_fd = fds[0]
        pid = os.fork()
    except Exception as e:
        for fd in fds:
            os.close(fd)
        _send(control, {"id": attempt_id, "error": repr(e)})
        return
    if pid == 0:
        _supervisor(warm, attempt_dir, lock_fd, own_fds)  # never returns
    os.close(lock_fd)  # the supervisor holds the lock now
    pidfd = None
    with contextlib.suppress(OSError, AttributeError):
        pidfd = os.pidfd_open(pid)  # opened before the child can be reaped, so it is this very process
    try:
        _send(control, {"id": attempt_id, "pid": pid}, [pidfd] if pidfd is not None else None)
    finally:
        if pidfd is not None:
            os.close(pidfd)


# -- the supervisor child ----------------------------------------------------------------------------------------


def _supervisor(warm: Warm, attempt_dir: str, lock_fd: int, inherited: list[int]) -> None:
    supervise = warm.supervise
    try:
        signal.set_wakeup_fd(-1)  # before the zygote's wakeup pipe is closed below
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.setsid()
        for fd in inherited:
            with contextlib.suppress(OSError):
                os.close(fd)
        _name_process(SUPERVISOR_NAME)
        os.chdir(attempt_dir)
        _redirect_stdio(attempt_dir)  # the supervisor's own complaints go where a cold supervisor's go
    except BaseException:
        os._exit(1)  # no record: the executor finds the lock released and the attempt lost

    def start() -> Any:
        with open(os.path.join(attempt_dir, supervise.SPEC), "rb") as f:
            spec = json.load(f)
        timeout = float(spec.get("timeout") or 0) or None

        def spawn(supervision: Any) -> int:
            return _fork_task(warm, spec, attempt_dir, [lock_fd, supervision.wake_r, supervision.wake_w])

        return supervise.Supervision(attempt_dir, list(spec["argv"]), timeout, float(spec["grace"]), spawn)

    supervise.supervise(attempt_dir, start)
    os._exit(0)  # pragma: no cover - supervise() never returns


def _fork_task(warm: Warm, spec: dict[str, Any], attempt_dir: str, supervisor_fds: list[int]) -> int:
    name = os.path.basename(spec["argv"][0])
    if name not in warm.entrypoints:
        raise FileNotFoundError(spec["argv"][0])
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.setpgid(0, 0)
            _fresh_signals()  # also unhooks the supervisor's wakeup pipe before it is closed
            for fd in supervisor_fds:
                os.close(fd)  # the lock above all: it proves the supervisor, not the task, is alive
            code = _run_task(warm, name, spec)
        except BaseException:
            with contextlib.suppress(BaseException):
                traceback.print_exc()
        finally:
            with contextlib.suppress(BaseException):
                sys.stdout.flush()
                sys.stderr.flush()
            os._exit(code)
    with contextlib.suppress(OSError):
        os.setpgid(pid, pid)  # also here, so no signal to the group can come before the child made it
    return pid


# -- the task grandchild ------------------------------------------------------------------------------------------


def _run_task(warm: Warm, name: str, spec: dict[str, Any]) -> int:
    """Becomes the task process a cold `pyflyte-execute` would be, runs the entrypoint, returns the exit status."""
    env: dict[str, str] = {str(k): str(v) for k, v in spec["env"].items()}
    _name_process(name.encode())
    previous = (sys.stdout, sys.stderr)
    _fresh_stdio(unbuffered=bool(env.get("PYTHONUNBUFFERED")))
    os.chdir(spec["cwd"])
    os.environ.clear()
    os.environ.update(env)
    bin_dir = str(spec.get("warm", {}).get("bin_dir") or "")
    python_path = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    sys.path[:] = [p for p in [bin_dir, *python_path, *warm.base_path] if p]
    sys.argv = [os.path.join(bin_dir, name) if bin_dir else name, *spec["argv"][1:]]
    sys.dont_write_bytecode = bool(env.get("PYTHONDONTWRITEBYTECODE"))
    main = types.ModuleType("__main__")
    main.__file__ = sys.argv[0]
    sys.modules["__main__"] = main
    _fresh_process_state()
    code = 0
    try:
        warm.entrypoints[name]()
    except SystemExit as e:
        code = _exit_code(e.code)
    except BaseException:
        sys.excepthook(*sys.exc_info())
        code = 1
    _finalize(previous)
    return code


def _fresh_signals() -> None:
    """The dispositions a newly started interpreter has."""
    signal.set_wakeup_fd(-1)
    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD, signal.SIGUSR1, signal.SIGUSR2):
        signal.signal(signum, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])


def _redirect_stdio(attempt_dir: str) -> None:
    """stdin from /dev/null, stdout and stderr appended to the attempt's files (fds 0-2; the task inherits them)."""
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    for fd, stream in ((1, "stdout"), (2, "stderr")):
        target = os.open(os.path.join(attempt_dir, stream), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.dup2(target, fd)
        os.close(target)


def _fresh_stdio(*, unbuffered: bool) -> None:
    """New sys.stdin/stdout/stderr objects over fds 0-2, buffered as the interpreter would buffer them."""
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"

    def stream_of(fd: int, errors: str) -> io.TextIOWrapper:
        raw = io.FileIO(fd, "w", closefd=False)
        if unbuffered:
            return io.TextIOWrapper(raw, encoding=encoding, errors=errors, write_through=True)
        return io.TextIOWrapper(io.BufferedWriter(raw), encoding=encoding, errors=errors)

    stdin = io.TextIOWrapper(io.BufferedReader(io.FileIO(0, "r", closefd=False)), encoding=encoding)
    sys.stdin = sys.__stdin__ = stdin  # type: ignore[misc]
    sys.stdout = sys.__stdout__ = stream_of(1, "strict")  # type: ignore[misc]
    sys.stderr = sys.__stderr__ = stream_of(2, "backslashreplace")  # type: ignore[misc]


def _fresh_process_state() -> None:
    """What flytekit (and the standard library) computed from the zygote's environment at import, computed again
    from the attempt's: temp folder, loggers, the default context and its local sandbox, event loops."""
    import tempfile

    tempfile.tempdir = None  # TMPDIR is the attempt's own
    with contextlib.suppress(Exception):
        from flytekit import loggers

        for logger in (loggers.logger, loggers.user_space_logger, loggers.developer_logger):
            logger.handlers.clear()
        loggers.initialize_global_loggers()
    with contextlib.suppress(Exception):
        from flytekit.configuration import DataConfig
        from flytekit.core import context_manager, data_persistence

        sandbox = tempfile.mkdtemp(prefix="flyte-")
        provider = data_persistence.FileAccessProvider(
            local_sandbox_dir=os.path.join(sandbox, "sandbox"),
            raw_output_prefix=os.path.join(sandbox, "raw"),
            data_config=DataConfig.auto(),
        )
        data_persistence.flyte_tmp_dir = sandbox
        data_persistence.default_local_file_access_provider = provider
        if hasattr(context_manager, "default_local_file_access_provider"):
            context_manager.default_local_file_access_provider = provider
        context_manager.FlyteContextManager.initialize()
    connector = sys.modules.get("flytekit.extend.backend.base_connector")
    if connector is not None and hasattr(connector, "local_connector_loop"):
        import asyncio

        # an epoll set must not be shared with sibling processes
        connector.local_connector_loop = asyncio.new_event_loop()  # type: ignore[attr-defined]
    numpy_random = sys.modules.get("numpy.random")
    if numpy_random is not None:  # a warm-imported numpy would hand every fork the same random stream
        with contextlib.suppress(Exception):
            numpy_random.seed()


def _exit_code(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def _finalize(previous: tuple[Any, Any]) -> None:
    """What the interpreter does at exit that matters to a task: wait for non-daemon threads, run atexit
    handlers, flush the streams."""
    shutdown = getattr(threading, "_shutdown", None)
    with contextlib.suppress(BaseException):
        if shutdown is not None:
            shutdown()
    import atexit

    with contextlib.suppress(BaseException):
        atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr, *previous):
        with contextlib.suppress(BaseException):
            stream.flush()


# -- start-up ---------------------------------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    _drop_own_folder()
    control = socket.socket(fileno=int(argv[1]))
    started = time.monotonic()
    try:
        warm = Warm(argv[2:])
    except BaseException as e:
        traceback.print_exc()
        with contextlib.suppress(OSError):
            _send(control, {"error": f"{type(e).__name__}: {e}"})
        return 1
    _send(
        control,
        {
            "ready": True,
            "pid": os.getpid(),
            "flytekit": warm.flytekit_version,
            "python": sys.version.split()[0],
            "seconds": round(time.monotonic() - started, 3),
            "skipped": warm.skipped,
        },
    )
    return serve(control, warm)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
