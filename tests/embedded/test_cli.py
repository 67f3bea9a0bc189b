"""The `cloudalbum` command, run as a real subprocess against a temporary data directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from cloudalbum import bootstrap
from cloudalbum.config import Settings
from embedded.helpers import cli_env, run_cli
from support import make_jpeg

PASSWORD = "correct horse battery"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return cli_env(tmp_path / "data")


def test_users_create_then_duplicate(env: dict[str, str], tmp_path: Path) -> None:
    r = run_cli(["users", "create", "--email", "Ann@Example.com", "--password", PASSWORD], env)
    assert r.returncode == 0, r.stderr
    assert "created user ann@example.com" in r.stdout
    c = bootstrap.build(Settings(data_dir=tmp_path / "data", workers=0))
    assert c.store.users.user_by_email("ann@example.com") is not None
    c.close()
    r = run_cli(["users", "create", "--email", "ann@example.com", "--password", PASSWORD], env)
    assert r.returncode == 1 and "already exists" in r.stderr
    assert "Traceback" not in r.stderr


def test_users_create_rejects_a_short_password(env: dict[str, str]) -> None:
    r = run_cli(["users", "create", "--email", "ann@example.com", "--password", "short"], env)
    assert r.returncode == 1 and "Traceback" not in r.stderr and "password" in r.stderr.lower()


def test_users_create_reads_the_password_from_the_terminal_prompt(env: dict[str, str]) -> None:
    # Without a terminal, getpass falls back to reading stdin (and warns): the same code path a person uses.
    r = run_cli(["users", "create", "--email", "tty@example.com"], env, input=PASSWORD + "\n")
    assert r.returncode == 0, r.stderr


def test_import_uploads_photos_and_names_what_it_skipped(env: dict[str, str], tmp_path: Path) -> None:
    assert run_cli(["users", "create", "--email", "ann@example.com", "--password", PASSWORD], env).returncode == 0
    src = tmp_path / "holiday"
    (src / "day2").mkdir(parents=True)
    (src / "beach.jpg").write_bytes(make_jpeg(320, 240, color=(200, 180, 120)))
    (src / "day2" / "sunset.JPG").write_bytes(make_jpeg(240, 320, color=(220, 90, 40)))
    (src / "notes.txt").write_text("not a photo")
    r = run_cli(["import", str(src), "--email", "ann@example.com"], env)
    assert r.returncode == 0, r.stderr  # every entry imported or deliberately skipped
    assert "imported 2, merged 0, skipped 1, failed 0" in r.stdout
    assert "skipped holiday:notes.txt: not a photo" in r.stdout
    c = bootstrap.build(Settings(data_dir=tmp_path / "data", workers=0))
    user = c.store.users.user_by_email("ann@example.com")
    photos = c.store.photos.list_photos(user.id).items
    assert sorted(p.filename for p in photos) == ["beach.jpg", "sunset.JPG"]
    assert all(c.blobs.exists(p.original_key) for p in photos)
    assert c.queue.depth().visible == 2  # processing jobs are queued for the workers
    c.close()
    (src / "broken.jpg").write_bytes(make_jpeg(64, 64)[:200])  # a truncated JPEG: could not be imported
    r = run_cli(["import", str(src), "--email", "ann@example.com"], env)
    assert r.returncode == 1, r.stdout
    assert "imported 0, merged 0, skipped 3, failed 1" in r.stdout  # the rest: already there, notes.txt
    assert "FAILED holiday:broken.jpg:" in r.stdout


def test_import_usage_errors_exit_2(env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "photo.rar").write_bytes(b"Rar!")
    r = run_cli(["import", str(tmp_path / "photo.rar"), "--email", "ann@example.com"], env)
    assert r.returncode == 2 and "not a folder, .zip or .tgz" in r.stderr
    assert run_cli(["import", "--email", "ann@example.com"], env).returncode == 2


def test_export_then_import_through_the_commands(env: dict[str, str], tmp_path: Path) -> None:
    for email in ("ann@example.com", "ben@example.com"):
        assert run_cli(["users", "create", "--email", email, "--password", PASSWORD], env).returncode == 0
    src = tmp_path / "src"
    src.mkdir()
    data = make_jpeg(100, 80, color=(10, 200, 100))
    (src / "one.jpg").write_bytes(data)
    assert run_cli(["import", str(src), "--email", "ann@example.com", "--no-progress"], env).returncode == 0
    out = tmp_path / "out"
    r = run_cli(["export", "--email", "ann@example.com", str(out)], env)
    assert r.returncode == 0 and "exported 1 photo" in r.stdout, r.stderr
    exported = out / "Photos without a date" / "one.jpg"
    assert exported.read_bytes() == data and (out / "Photos without a date" / "one.jpg.json").exists()
    assert run_cli(["export", "--email", "ann@example.com", str(out)], env).returncode == 1  # not empty
    r = run_cli(["import", str(out), "--email", "ben@example.com"], env)
    assert r.returncode == 0 and "imported 1," in r.stdout, r.stdout


def test_import_for_an_unknown_account(env: dict[str, str], tmp_path: Path) -> None:
    r = run_cli(["import", str(tmp_path), "--email", "nobody@example.com"], env)
    assert r.returncode == 1 and "no account" in r.stderr


def test_gc_runs_maintenance_once(env: dict[str, str]) -> None:
    r = run_cli(["gc"], env)
    assert r.returncode == 0, r.stderr
    assert "maintenance done" in r.stdout


def test_gc_reorder_names_an_account(env: dict[str, str]) -> None:
    """`gc --reorder EMAIL` (issue 16.1): an unknown account is exit 1 with a reason; on SQLite migration 0270
    already ordered every photo by instant, so a known one has nothing to move."""
    r = run_cli(["gc", "--reorder", "nobody@example.com"], env)
    assert r.returncode == 1 and "no account" in r.stderr
    assert run_cli(["users", "create", "--email", "ann@example.com", "--password", PASSWORD], env).returncode == 0
    r = run_cli(["gc", "--reorder", "ann@example.com"], env)
    assert r.returncode == 0, r.stderr
    assert "reordered ann@example.com: 0 photos read, 0 moved" in r.stdout


@pytest.mark.parametrize("setting, value", [("backend", "mainframe"), ("port", "eighty"), ("workers", "-1"),
                                            ("maintenance_interval_s", "-5")])
def test_bad_settings_exit_2_with_a_clear_message(env: dict[str, str], setting: str, value: str) -> None:
    env = {**env, f"CLOUDALBUM_{setting.upper()}": value}
    r = run_cli(["serve"], env, timeout=60)
    assert r.returncode == 2
    assert "configuration error" in r.stderr and f"CLOUDALBUM_{setting.upper()}" in r.stderr
    assert "Traceback" not in r.stderr


def test_production_without_a_key_refuses_to_start(env: dict[str, str]) -> None:
    r = run_cli(["serve"], {**env, "CLOUDALBUM_ENV": "production"}, timeout=60)
    assert r.returncode == 2 and "CLOUDALBUM_JWT_KEY" in r.stderr


def test_queue_status_dead_and_redrive(env: dict[str, str], tmp_path: Path) -> None:
    from cloudalbum.adapters.embedded.queue import SqliteJobQueue

    q = SqliteJobQueue(tmp_path / "data" / "queue.sqlite3", visibility_timeout_s=0, max_receives=1)
    q.send({"type": "process_photo", "photo_id": "poison"})
    q.send({"type": "process_photo", "photo_id": "fine"})
    assert len(q.receive(max_messages=1)) == 1  # received once, never deleted: dead at the next receive
    q.close()
    env = {**env, "CLOUDALBUM_MAX_RECEIVES": "1"}  # the redrive rule is the consumers' setting, as on SQS
    r = run_cli(["queue", "status"], env)
    assert r.returncode == 0 and "visible 1, in flight 0, dead 1" in r.stdout, r.stdout + r.stderr
    r = run_cli(["queue", "dead"], env)
    assert r.returncode == 0 and '"photo_id": "poison"' in r.stdout and "1 dead-letter message(s)" in r.stdout
    r = run_cli(["queue", "redrive"], env)
    assert r.returncode == 0 and "moved 1 message(s)" in r.stdout
    assert "visible 2, in flight 0, dead 0" in run_cli(["queue", "status"], env).stdout


def test_people_scan_queues_a_library_scan(env: dict[str, str], tmp_path: Path) -> None:
    assert run_cli(["users", "create", "--email", "ann@example.com", "--password", PASSWORD], env).returncode == 0
    r = run_cli(["people", "scan", "--email", "ann@example.com"], env)
    assert r.returncode == 0 and "scan of ann@example.com's photos queued" in r.stdout, r.stderr
    c = bootstrap.build(Settings(data_dir=Path(env["CLOUDALBUM_DATA_DIR"])))
    try:
        [message] = c.queue.receive(max_messages=10)
        assert message.body["type"] == "scan_faces" and "cursor" not in message.body
    finally:
        c.close()
    r = run_cli(["people", "scan", "--email", "nobody@example.com"], env)
    assert r.returncode == 1 and "no account nobody@example.com" in r.stderr


def test_duplicates_backfill_queues_the_first_page_of_an_account(env: dict[str, str], tmp_path: Path) -> None:
    assert run_cli(["users", "create", "--email", "ann@example.com", "--password", PASSWORD], env).returncode == 0
    r = run_cli(["duplicates", "backfill", "--email", "ann@example.com"], env)
    assert r.returncode == 0 and "duplicate fingerprints of ann@example.com's photos queued" in r.stdout, r.stderr
    c = bootstrap.build(Settings(data_dir=Path(env["CLOUDALBUM_DATA_DIR"])))
    try:
        [message] = c.queue.receive(max_messages=10)
        user = c.store.users.user_by_email("ann@example.com")
        assert user is not None and message.body == {"type": "fingerprint_library", "owner_id": user.id}
    finally:
        c.close()
    r = run_cli(["duplicates", "backfill", "--email", "nobody@example.com"], env)
    assert r.returncode == 1 and "no account nobody@example.com" in r.stderr
