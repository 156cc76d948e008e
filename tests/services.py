"""Throwaway PostgreSQL and Redis servers for tests, started and stopped by PID.

Both come from Debian's packages (`make system` installs them) and listen on 127.0.0.1 only,
on a free port. A missing program raises RuntimeError: a test that needs a server must fail,
never skip, when the server cannot run.
"""

from __future__ import annotations

import atexit
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from pydantic import SecretStr

from server.migrate import upgrade
from server.settings import Settings

PG_ROOT = Path("/usr/lib/postgresql")
PG_PROGRAMS = ("initdb", "pg_ctl", "postgres")
PG_SYSTEM_USER = "postgres"
MAKE_SYSTEM = "run `make system` to install the Debian packages the tests need"
START_ATTEMPTS = 3
START_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 15.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listened on a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def pid_alive(pid: int) -> bool:
    """True while a process with this PID exists (and is not a reaped zombie of ours)."""
    try:
        reaped, _status = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        reaped = 0  # not our child: fall through to the signal probe
    if reaped == pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_process(process: subprocess.Popen[Any], timeout: float = STOP_TIMEOUT_SECONDS) -> None:
    """Stop a child as an operator would: SIGTERM, then SIGKILL if it outlives `timeout`."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def kill_pid(pid: int, timeout: float = STOP_TIMEOUT_SECONDS) -> None:
    """SIGTERM, then SIGKILL if the process outlives `timeout`; returns once it is gone."""
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not pid_alive(pid):
                return
            time.sleep(0.05)
    raise RuntimeError(f"process {pid} survived SIGKILL")


def _tail(path: Path, lines: int = 20) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


# --- PostgreSQL -------------------------------------------------------------------------------


def _version_key(bin_dir: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", bin_dir.parent.name))


def postgres_bin_dir() -> Path:
    """The `bin` folder of the highest PostgreSQL version Debian installed."""
    candidates = [
        bin_dir
        for bin_dir in PG_ROOT.glob("*/bin")
        if all(os.access(bin_dir / name, os.X_OK) for name in PG_PROGRAMS)
    ]
    if not candidates:
        raise RuntimeError(
            f"PostgreSQL is not installed (no initdb, pg_ctl and postgres under {PG_ROOT}/*/bin): "
            f"{MAKE_SYSTEM}"
        )
    return max(candidates, key=_version_key)


def _run_as_prefix() -> tuple[str, ...]:
    """PostgreSQL refuses to run as root: as root, run its programs as the `postgres` user."""
    if os.geteuid() != 0:
        return ()
    runuser = shutil.which("runuser")
    if runuser is None:
        raise RuntimeError(f"running as root needs `runuser` to start PostgreSQL: {MAKE_SYSTEM}")
    try:
        pwd.getpwnam(PG_SYSTEM_USER)
    except KeyError as exc:
        raise RuntimeError(
            f"running as root needs the `{PG_SYSTEM_USER}` system user: {MAKE_SYSTEM}"
        ) from exc
    return (runuser, "-u", PG_SYSTEM_USER, "--")


def _chown_tree(path: Path, user: str) -> None:
    """Give `path` and everything in it to `user` (and its primary group)."""
    entry = pwd.getpwnam(user)
    for item in (path, *path.rglob("*")):
        os.chown(item, entry.pw_uid, entry.pw_gid, follow_symlinks=False)


def _sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@dataclass
class PostgresServer:
    """A running throwaway cluster; `stop()` ends it (it is safe to call twice)."""

    bin_dir: Path
    root: Path
    port: int
    pid: int
    run_as: tuple[str, ...] = ()
    private_root: bool = False
    stopped: bool = field(default=False, init=False)
    # The migrated database new ones are copied from, made on first use.
    template: str | None = field(default=None, init=False)

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "socket"

    @property
    def log_file(self) -> Path:
        return self.root / "postgres.log"

    @property
    def url(self) -> str:
        """The `postgres` database, as the `postgres` superuser (trust auth, loopback only)."""
        return self.database_url("postgres")

    def database_url(self, name: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def create_database(self, name: str) -> str:
        """Create an empty UTF-8 database and return its URL."""
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0").format(
                    sql.Identifier(name)
                )
            )
        return self.database_url(name)

    def migrated_copy(self, name: str, migrate: Callable[[str], None]) -> str:
        """A database already at the newest schema: a copy of one migrated once per session
        (`CREATE DATABASE ... TEMPLATE`, far cheaper than running every migration again)."""
        if self.template is None:
            template = "ketnoi_migrated_template"
            self.drop_database(template)
            migrate(self.create_database(template))
            self.template = template
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(name), sql.Identifier(self.template)
                )
            )
        return self.database_url(name)

    def drop_database(self, name: str) -> None:
        """Drop a database, closing any connection still open to it."""
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    def stop(self) -> None:
        """`pg_ctl stop -m fast`, then the PID killed if it is still there."""
        if self.stopped:
            return
        self.stopped = True
        try:
            subprocess.run(
                [
                    *self.run_as,
                    str(self.bin_dir / "pg_ctl"),
                    "stop",
                    "-D",
                    str(self.data_dir),
                    "-m",
                    "fast",
                    "-w",
                    "-t",
                    str(int(STOP_TIMEOUT_SECONDS)),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=False,
                timeout=STOP_TIMEOUT_SECONDS + 5,
            )
        except subprocess.TimeoutExpired:
            pass
        kill_pid(self.pid)
        if self.private_root:
            shutil.rmtree(self.root, ignore_errors=True)


def _reachable_by(prefix: tuple[str, ...], path: Path) -> bool:
    """Whether the user `prefix` runs as can write in `path` (every parent must be searchable)."""
    if not prefix:
        return True
    probe = subprocess.run([*prefix, "test", "-w", str(path), "-a", "-x", str(path)], check=False)
    return probe.returncode == 0


def _initdb(bin_dir: Path, prefix: tuple[str, ...], data_dir: Path, log: Path) -> None:
    base = [
        *prefix,
        str(bin_dir / "initdb"),
        "-D",
        str(data_dir),
        "--auth=trust",
        "-U",
        "postgres",
        "--encoding=UTF8",
        "--no-sync",
    ]
    with log.open("ab") as out:
        for locale in ("C.UTF-8", "C"):
            if data_dir.exists():
                shutil.rmtree(data_dir)
            done = subprocess.run(
                [*base, f"--locale={locale}"], stdout=out, stderr=subprocess.STDOUT, check=False
            )
            if done.returncode == 0:
                return
    raise RuntimeError(f"initdb failed in {data_dir}:\n{_tail(log)}")


def _wait_for_postgres(url: str, pid: int, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while True:
        try:
            with psycopg.connect(url, connect_timeout=2) as conn:
                conn.execute("SELECT 1")
            return
        except psycopg.OperationalError as exc:
            if not pid_alive(pid) or time.monotonic() > deadline:
                raise RuntimeError(
                    f"PostgreSQL did not accept connections: {exc}\n{_tail(log)}"
                ) from exc
            time.sleep(0.1)


def start_postgres(workdir: Path) -> PostgresServer:
    """Create a cluster under `workdir` and start it on 127.0.0.1 on a free port."""
    bin_dir = postgres_bin_dir()
    prefix = _run_as_prefix()
    workdir.mkdir(parents=True, exist_ok=True)
    root, private_root = workdir, False
    if prefix:
        _chown_tree(workdir, PG_SYSTEM_USER)
        if not _reachable_by(prefix, workdir):
            # pytest's temporary folders sit under a 0700 root-owned folder the postgres user
            # cannot enter: use a private folder of its own instead, removed on stop.
            root = Path(tempfile.mkdtemp(prefix="ketnoi-pg-"))
            private_root = True
            _chown_tree(root, PG_SYSTEM_USER)
            (workdir / "postgres-root.txt").write_text(f"{root}\n", encoding="utf-8")
    data_dir, socket_dir, log = root / "data", root / "socket", root / "postgres.log"
    socket_dir.mkdir(mode=0o700, exist_ok=True)
    log.touch()
    if prefix:
        _chown_tree(root, PG_SYSTEM_USER)
    _initdb(bin_dir, prefix, data_dir, log)
    conf = data_dir / "postgresql.conf"
    with conf.open("a", encoding="utf-8") as fh:
        fh.write(
            "\n# throwaway test server\n"
            "listen_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = {_sql_literal(str(socket_dir))}\n"
            "fsync = off\n"
            "synchronous_commit = off\n"
            "full_page_writes = off\n"
            "max_connections = 100\n"
        )
    last_error = ""
    for _attempt in range(START_ATTEMPTS):
        port = free_port()
        with conf.open("a", encoding="utf-8") as fh:
            fh.write(f"port = {port}\n")
        started = subprocess.run(
            [
                *prefix,
                str(bin_dir / "pg_ctl"),
                "start",
                "-D",
                str(data_dir),
                "-l",
                str(log),
                "-w",
                "-t",
                str(int(START_TIMEOUT_SECONDS)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            check=False,
        )
        pid_file = data_dir / "postmaster.pid"
        if started.returncode == 0 and pid_file.exists():
            pid = int(pid_file.read_text(encoding="utf-8").splitlines()[0])
            server = PostgresServer(bin_dir, root, port, pid, prefix, private_root)
            try:
                _wait_for_postgres(server.url, pid, log)
            except BaseException:
                server.stop()
                raise
            return server
        last_error = started.stderr.decode(errors="replace")  # e.g. the port was taken meanwhile
    if private_root:
        shutil.rmtree(root, ignore_errors=True)
    raise RuntimeError(f"PostgreSQL did not start: {last_error}\n{_tail(log)}")


# --- Redis ------------------------------------------------------------------------------------


def redis_binary() -> str:
    """Debian's redis-server."""
    found = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if os.access("/usr/bin/redis-server", os.X_OK) else None
    )
    if found is None:
        raise RuntimeError(f"redis-server is not installed: {MAKE_SYSTEM}")
    return found


def redis_ping(port: int) -> bool:
    """True when a Redis server answers PING on 127.0.0.1:`port`."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


@dataclass
class RedisServer:
    """A running throwaway Redis without persistence; `stop()` ends it."""

    process: subprocess.Popen[bytes]
    port: int
    workdir: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        """SIGTERM by PID, SIGKILL if it lingers; safe to call twice."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def start_redis(workdir: Path) -> RedisServer:
    """Start redis-server on 127.0.0.1 on a free port, keeping nothing on disk."""
    binary = redis_binary()
    workdir.mkdir(parents=True, exist_ok=True)
    log = workdir / "redis.log"
    for _attempt in range(START_ATTEMPTS):
        port = free_port()
        with log.open("ab") as out:
            process = subprocess.Popen(
                [
                    binary,
                    "--bind",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(workdir),
                    "--daemonize",
                    "no",
                    "--protected-mode",
                    "yes",
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        server = RedisServer(process, port, workdir)
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while process.poll() is None and time.monotonic() < deadline:
            if redis_ping(port):
                return server
            time.sleep(0.05)
        server.stop()  # exited (port taken meanwhile?) or never answered: try another port
    raise RuntimeError(f"redis-server did not start:\n{_tail(log)}")


__all__ = [
    "PostgresServer",
    "RedisServer",
    "free_port",
    "start_postgres",
    "start_redis",
]


_sqlite_template: list[Path] = []


def migrated_sqlite(settings: Settings) -> None:
    """The settings' SQLite file at the newest schema: a copy of one migrated once per test
    process (running every migration costs ~80 ms a test)."""
    if not _sqlite_template:
        folder = Path(tempfile.mkdtemp(prefix="ketnoi-schema-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        template = Settings(
            data_dir=folder, secret_key=SecretStr(secrets.token_urlsafe(32)), relay_enabled=False
        )
        upgrade(template)
        _sqlite_template.append(Path(template.database_url.removeprefix("sqlite:///")))
    target = Path(settings.database_url.removeprefix("sqlite:///"))
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_sqlite_template[0], target)
