"""`cloudalbum import PATH... --email E` and `cloudalbum export --email E DIR` (issue 19; API.md "Move in, move
out"). Exit codes: 0 every entry imported or deliberately skipped, 1 some entry could not be imported (each
named in the summary), 2 a usage error (argparse's own, or a PATH that is not a folder, .zip or .tgz)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def configure_import(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                   help="a folder, a .zip or a .tgz (Google Takeout included): photos with their JSON and XMP "
                        "sidecars; folders with a metadata.json become albums")
    p.add_argument("--email", required=True, help="the account that will own the photos")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def configure_export(p: argparse.ArgumentParser) -> None:
    p.add_argument("--email", required=True, help="the account whose photos are exported")
    p.add_argument("directory", type=Path, metavar="DIR",
                   help="where to write the photos (byte for byte), their Takeout-style JSON sidecars and one "
                        "folder per album with its metadata.json")


def _user(container: Any, email: str) -> Any:
    from .cli import CommandError

    user = container.store.users.user_by_email(email.strip())
    if user is None:
        raise CommandError(f"no account for {email}: create it with `cloudalbum users create`")
    return user


def run_import(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from ..adapters.archives import ImportSource
    from ..domain.errors import BadEntry, StorageUnavailable
    from ..services.moving import ImportReport
    from ..services.sidecars import MAX_SIDECAR_BYTES, read_whole
    from .cli import _container

    container = _container(args)
    try:
        sources = []
        for path in args.paths:
            try:
                sources.append(ImportSource(path, max_bytes=container.settings.max_upload_bytes,
                                            is_sidecar=read_whole, sidecar_bytes=MAX_SIDECAR_BYTES))
            except BadEntry as exc:
                print(f"cloudalbum: {exc.message}", file=sys.stderr)
                return EXIT_USAGE
        user = _user(container, args.email)
        report = ImportReport()
        for source in sources:
            def progress(entries: Any, label: str = source.path.name) -> Any:
                return tqdm(entries, desc=f"importing {label}", unit="file", file=sys.stderr,
                            disable=args.no_progress or None)

            try:
                container.importer.import_source(user.id, source, report, progress=progress)
            except StorageUnavailable:
                break  # reported; every following photo would fail too
            finally:
                source.close()
    finally:
        container.close()
    print_summary(report)
    return EXIT_OK if report.ok else EXIT_FAILED


def print_summary(report: Any) -> None:
    print(f"imported {len(report.imported)}, merged {len(report.merged)}, skipped {len(report.skipped)}, "
          f"failed {len(report.failed)}" + (f"; albums created: {', '.join(report.albums)}" if report.albums else ""))
    for where in report.merged:
        print(f"  merged {where}: identical to a photo already there, which gained its album or metadata")
    for where, why in report.skipped:
        print(f"  skipped {where}: {why}")
    for where, why in report.failed:
        print(f"  FAILED {where}: {why}")


def run_export(args: argparse.Namespace) -> int:
    from .cli import CommandError, _container

    if args.directory.exists() and (not args.directory.is_dir() or any(args.directory.iterdir())):
        raise CommandError(f"{args.directory} must be an empty or new directory")
    container = _container(args)
    try:
        user = _user(container, args.email)
        exporter = container.exporter
        count = exporter.write_folder(exporter.library(user.id), args.directory)
    finally:
        container.close()
    print(f"exported {count} photo files to {args.directory}")
    return EXIT_OK
