"""The `cloudalbum` command: serve, worker, users create, import, export, gc.

Subcommands live in the COMMANDS registry, so a shape-specific command (such as `aws-init`) is one added
entry. Settings come from config.from_env with the command-line flags as overrides; a configuration error
prints its message and exits 2; a missing or corrupt model exits 3 before any message is taken.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import ConfigError, Settings, from_env

EXIT_OK, EXIT_FAILED, EXIT_CONFIG, EXIT_MODEL = 0, 1, 2, 3


class CommandError(Exception):
    """A failure the user can act on: printed without a traceback, exit 1."""


@dataclass
class Command:
    help: str
    configure: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


def settings_from(args: argparse.Namespace, **extra: Any) -> Settings:
    """Settings from the environment with this command's flags (those given) on top, validated."""
    overrides = {"data_dir": getattr(args, "data_dir", None), **extra}
    return from_env(**overrides).validate()


def _container(args: argparse.Namespace, **extra: Any) -> Any:
    from .. import bootstrap

    return bootstrap.build(settings_from(args, **extra))


# --- serve / worker / gc ----------------------------------------------------------------------------------


def _configure_serve(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", help="address to listen on (CLOUDALBUM_HOST, default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port to listen on (CLOUDALBUM_PORT, default 8000)")
    p.add_argument("--workers", type=int, help="worker processes (CLOUDALBUM_WORKERS, default one per core)")


def _run_serve(args: argparse.Namespace) -> int:
    from .server import ServeError, serve

    settings = settings_from(args, host=args.host, port=args.port, workers=args.workers)
    try:
        return serve(settings, announce=lambda line: print(line, flush=True))
    except ServeError as exc:
        raise CommandError(str(exc)) from exc


def _run_worker(args: argparse.Namespace) -> int:
    from ..domain.errors import ModelUnavailable
    from .worker import limit_memory, run_worker

    container = _container(args)
    limit_memory(container.settings.worker_memory_limit_mib)
    try:
        acked = run_worker(container)
    except ModelUnavailable as exc:
        print(f"cloudalbum worker: the detection model is unavailable: {exc.message}", file=sys.stderr)
        return EXIT_MODEL
    finally:
        container.close()
    print(f"worker stopped after {acked} message(s)")
    return EXIT_OK


def _configure_gc(p: argparse.ArgumentParser) -> None:
    p.add_argument("--scan-blobs", action="store_true",
                   help="also list every blob once and delete those without a record (orphans of versions "
                        "before pending entries; run it while no upload is in flight)")
    p.add_argument("--reorder", metavar="EMAIL", action="append", default=[],
                   help="move the account's photos whose time has an offset to their UTC instant in every list "
                        "(DynamoDB items written before issue 16.1; repeatable; idempotent)")


def _account_id(container: Any, email: str) -> str:
    """The id of the account with this email; CommandError when there is none."""
    user = container.store.users.user_by_email(email)
    if user is None:
        raise CommandError(f"no account {email}")
    return str(user.id)


def _run_gc(args: argparse.Namespace) -> int:
    container = _container(args)
    try:
        report = container.maintenance.run_once()
        scanned = container.maintenance.scan_blobs() if getattr(args, "scan_blobs", False) else None
        for email in getattr(args, "reorder", []):
            read, moved = container.maintenance.reorder(_account_id(container, email))
            print(f"reordered {email}: {read} photos read, {moved} moved to their UTC instant")
    finally:
        container.close()
    summary = report.as_dict() if hasattr(report, "as_dict") else report
    print(f"maintenance done: {summary}" + (f"; blob scan deleted {scanned}" if scanned is not None else ""))
    return EXIT_OK


# --- users ------------------------------------------------------------------------------------------------


def _configure_users(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    create = sub.add_parser("create", help="create an account")
    create.add_argument("--email", required=True)
    create.add_argument("--password", help="asked for (not echoed) when left out")


def _ask_password() -> str:
    password = getpass.getpass("Password: ")
    if sys.stdin.isatty() and getpass.getpass("Password again: ") != password:
        raise CommandError("the passwords do not match")
    return password


def _run_users(args: argparse.Namespace) -> int:
    password = args.password if args.password is not None else _ask_password()
    container = _container(args)
    try:
        user = container.auth.register(args.email, password)
    finally:
        container.close()
    print(f"created user {user.email} (id {user.id})")
    return EXIT_OK


# --- import / export: entrypoints/moving_cli.py -------------------------------------------------------------


def _run_aws_init(args: argparse.Namespace) -> int:
    """Create the S3 bucket, SQS queue + dead-letter queue and DynamoDB table the settings name (idempotent)."""
    from ..adapters.aws.init import init_aws

    settings = settings_from(args)
    created = init_aws(settings)
    for line in created:
        print(f"created {line}")
    print("aws-init: everything already existed" if not created else f"aws-init: created {len(created)}")
    return EXIT_OK


# --- queue ------------------------------------------------------------------------------------------------


def _configure_queue(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="queue_command", required=True, metavar="ACTION")
    sub.add_parser("status", help="messages waiting, in flight and dead")
    sub.add_parser("dead", help="show up to 10 dead-letter messages (they stay in the dead-letter queue)")
    sub.add_parser("redrive", help="move every dead-letter message back to the queue (embedded queue)")


def _run_queue(args: argparse.Namespace) -> int:
    container = _container(args)
    try:
        queue = container.queue
        if args.queue_command == "status":
            d = queue.depth()
            print(f"visible {d.visible}, in flight {d.in_flight}, dead {d.dead}")
        elif args.queue_command == "dead":
            dead = queue.receive_dead(max_messages=10)
            for m in dead:
                print(f"{m.id}  received {m.receive_count}x  {json.dumps(m.body)}")
            print(f"{len(dead)} dead-letter message(s) shown")
        elif hasattr(queue, "redrive_dead"):
            print(f"moved {queue.redrive_dead()} message(s) back to the queue")
        else:
            raise CommandError("this queue cannot redrive from here: use the SQS console's dead-letter redrive")
    finally:
        container.close()
    return EXIT_OK


# --- people -----------------------------------------------------------------------------------------------


def _configure_people(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="people_command", required=True, metavar="ACTION")
    scan = sub.add_parser("scan", help="look for faces in every photo of an account (photos processed before "
                                       "face grouping was on), in the background")
    scan.add_argument("--email", required=True)


def _run_people(args: argparse.Namespace) -> int:
    container = _container(args)
    try:
        user_id = _account_id(container, args.email)
        if not container.people.enabled_for(user_id):
            raise CommandError(f"face grouping is off for {args.email} (or CLOUDALBUM_FACES is off)")
        started = container.people.start_scan(user_id)
    finally:
        container.close()
    if not started:
        print(f"a scan of {args.email}'s photos is already in flight: nothing more queued")
        return EXIT_OK
    print(f"scan of {args.email}'s photos queued: the workers look for faces page by page")
    return EXIT_OK


def _configure_duplicates(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="duplicates_command", required=True, metavar="ACTION")
    backfill = sub.add_parser("backfill", help="fingerprint an account's photos processed before duplicate "
                                               "fingerprints existed, and group them, in the background")
    backfill.add_argument("--email", required=True)


def _run_duplicates(args: argparse.Namespace) -> int:
    container = _container(args)
    try:
        container.duplicate_backfill.start(_account_id(container, args.email))
    finally:
        container.close()
    print(f"duplicate fingerprints of {args.email}'s photos queued: the workers go through them page by page")
    return EXIT_OK


COMMANDS: dict[str, Command] = {
    "serve": Command("serve the API and web pages, with background workers", _configure_serve, _run_serve),
    "worker": Command("process queued photos in the foreground", lambda p: None, _run_worker),
    "users": Command("manage accounts", _configure_users, _run_users),
    "import": Command("import folders, .zip and .tgz archives (Google Takeout, XMP sidecars)",
                      lambda p: _moving().configure_import(p), lambda a: _moving().run_import(a)),
    "export": Command("write every photo, byte for byte, with Takeout-style sidecars and album folders",
                      lambda p: _moving().configure_export(p), lambda a: _moving().run_export(a)),
    "gc": Command("repair what crashes left behind (once)", _configure_gc, _run_gc),
    "aws-init": Command("create the AWS bucket, queues and table where missing (idempotent)", lambda p: None,
                        _run_aws_init),
    "queue": Command("inspect the job queue and its dead-letter queue", _configure_queue, _run_queue),
    "people": Command("faces and people: scan an account's photos for faces", _configure_people, _run_people),
    "duplicates": Command("duplicates: fingerprint an account's photos processed before fingerprints existed",
                          _configure_duplicates, _run_duplicates),
}


def _moving() -> Any:
    from . import moving_cli

    return moving_cli


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cloudalbum", description="A photo album that understands its photos.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, cmd in COMMANDS.items():
        p = sub.add_parser(name, help=cmd.help, description=cmd.help)
        p.add_argument("--data-dir", type=Path, help="where data lives (CLOUDALBUM_DATA_DIR, default ./data)")
        cmd.configure(p)
        p.set_defaults(run=cmd.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    from ..domain.errors import DomainError

    try:
        return args.run(args)
    except ConfigError as exc:
        print(f"cloudalbum: configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except (CommandError, DomainError) as exc:
        print(f"cloudalbum: {getattr(exc, 'message', exc)}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
