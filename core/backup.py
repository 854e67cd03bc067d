"""Backups: one archive with the database and the uploaded files, and the restore that brings it back.

An archive is a ``.tar.gz`` holding

* ``database.sqlite3`` (SQLite) or ``database.pgdump`` (PostgreSQL, ``pg_dump`` custom format),
* ``media/…``: every file under ``MEDIA_ROOT`` (case photos, documents),
* ``manifest.json`` (written last): format version, time, database vendor and server version, the
  applied migrations and the row count of every table as of the snapshot, the size and SHA-256 of the
  database file and of each media file, and a token that tells whether this installation's keys read
  the encrypted personal fields.

The database part is a consistent snapshot while the site keeps writing. SQLite: the online backup API
(``sqlite3.Connection.backup``) copies the live database into a file in one read transaction; the
counts and migrations are read from that copy. PostgreSQL: a REPEATABLE READ transaction exports its
snapshot, ``pg_dump --snapshot`` dumps exactly that snapshot and the counts are taken inside the same
transaction. The media are copied after the database snapshot: a photo whose row is in the snapshot
was stored before its row was committed, so it is in the archive (a photo uploaded meanwhile may be
there too, unreferenced: harmless).

Restore is all or nothing. The archive is unpacked into a scratch directory beside ``MEDIA_ROOT`` and
checked against its manifest (every checksum, vendor, migrations not newer than this code, keys)
before anything is touched. SQLite: the unpacked file is checked (integrity, counts) and copied into
the live database with the backup API, which writes it in one transaction. PostgreSQL: one ``psql``
transaction drops the tables of the schema, replays ``pg_restore``'s script and checks the row counts;
it commits only when ``pg_restore`` finished cleanly and every count matches, otherwise the server rolls
all of it back. The media directory is swapped for the unpacked one at the end.

Why not django-dbbackup (5.4, checked): its SQLite backup uses the same backup API, but its restore
writes the dump over the live database file (not atomic, and unsafe under WAL with open connections);
its PostgreSQL restore (``pg_restore --clean --single-transaction``) leaves behind the tables of later
migrations when an older backup is restored, after which ``migrate`` fails; and it writes database and
media as separate files without a manifest, checksums or row counts. What it would add over the
standard library and the PostgreSQL tools is the command lines, so this module runs them itself, with
the connection settings taken by Django's own ``psql`` client code.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils.translation import gettext as _

FORMAT = "jiceng-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA_DIR = "media"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
KEY_PROBE = b"jiceng-backup-key-probe"
CHUNK = 1024 * 1024
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*$")


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


# --- Small helpers ---------------------------------------------------------------------------------
def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class _HashingReader:
    """A file wrapper that hashes what ``tarfile`` reads from it."""

    def __init__(self, fh):
        self.fh = fh
        self.digest = hashlib.sha256()

    def read(self, size=-1):
        data = self.fh.read(size)
        self.digest.update(data)
        return data


def _field_cipher():
    """The Fernet (or MultiFernet with the fallback keys) the encrypted personal fields use now.

    A new field instance each time: the library caches the keys per field instance."""
    from encrypted_fields.fields import EncryptedCharField

    return EncryptedCharField(max_length=1).f


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def default_path(now: dt.datetime | None = None) -> Path:
    now = now or dt.datetime.now(dt.UTC)
    return Path(settings.VAR_DIR) / "backups" / f"jiceng-backup-{now:%Y%m%dT%H%M%SZ}.tar.gz"


def disk_migrations() -> set[tuple[str, str]]:
    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def live_row_counts() -> dict[str, int]:
    """Rows per table of the live database (SQLite's own tables left out)."""
    with connection.cursor() as cursor:
        tables = [t for t in connection.introspection.table_names(cursor) if not t.startswith("sqlite_")]
        counts = {}
        for table in sorted(tables):
            cursor.execute(f"SELECT count(*) FROM {_quote(table)}")  # noqa: S608 (names from the catalogue)
            counts[table] = cursor.fetchone()[0]
    return counts


def _require_no_transaction() -> None:
    if connection.in_atomic_block:
        raise BackupError(_("Backup and restore cannot run inside a database transaction."))


# --- Backup -----------------------------------------------------------------------------------------
def _snapshot_sqlite(target: Path) -> dict:
    connection.ensure_connection()
    try:
        copy = sqlite3.connect(target)
        try:
            connection.connection.backup(copy)  # one read transaction: a consistent snapshot
            copy.execute("PRAGMA journal_mode=DELETE")  # a self-contained file, no -wal beside it
            tables = _sqlite_counts(copy)
            migrations = _sqlite_migrations(copy)
            version = copy.execute("SELECT sqlite_version()").fetchone()[0]
        finally:
            copy.close()
    except sqlite3.Error as exc:
        raise BackupError(_("The SQLite backup failed: %(error)s") % {"error": exc}) from exc
    return {"server_version": version, "tables": tables, "migrations": migrations}


def _sqlite_counts(db: sqlite3.Connection) -> dict[str, int]:
    names = [row[0] for row in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite!_%' ESCAPE '!'")]
    return {name: db.execute(f"SELECT count(*) FROM {_quote(name)}").fetchone()[0]  # noqa: S608
            for name in sorted(names)}


def _migration_state(rows) -> dict[str, list[str]]:
    """Applied migrations as {app: [names]}, sorted."""
    state: dict[str, list[str]] = {}
    for app, name in sorted(rows):
        state.setdefault(app, []).append(name)
    return state


def _sqlite_migrations(db: sqlite3.Connection) -> dict[str, list[str]]:
    try:
        return _migration_state(db.execute("SELECT app, name FROM django_migrations"))
    except sqlite3.OperationalError:  # an empty database: never migrated
        return {}


def _pg_command(tool: str, options: list[str], connect: bool = True) -> tuple[list[str], dict]:
    """The command line of a PostgreSQL client tool, connected as Django connects (host, port, user,
    password, service, TLS files: Django's own ``psql`` settings translation)."""
    from django.db.backends.postgresql.client import DatabaseClient

    executable = shutil.which(tool)
    if executable is None:
        raise BackupError(_(
            "%(tool)s was not found: install the PostgreSQL client tools of the server's major version "
            "(package postgresql-client)."
        ) % {"tool": tool})
    if not connect:
        return [executable, *options], dict(os.environ)
    args, env = DatabaseClient.settings_to_cmd_args_env(connection.settings_dict, options)
    return [executable, *args[1:]], {**os.environ, **(env or {})}


def _run(args: list[str], env: dict, what: str) -> None:
    result = subprocess.run(args, env=env, stdin=subprocess.DEVNULL, capture_output=True, check=False)
    if result.returncode != 0:
        raise BackupError(_("%(what)s failed: %(error)s")
                          % {"what": what, "error": result.stderr.decode(errors="replace").strip()})


def _snapshot_postgresql(target: Path) -> dict:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot(), current_schema(), current_setting('server_version')")
        snapshot, schema, version = cursor.fetchone()
        args, env = _pg_command("pg_dump", ["--format=custom", f"--snapshot={snapshot}", f"--file={target}"])
        _run(args, env, "pg_dump")  # reads the same snapshot as the counts below
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        tables = {}
        for table in sorted(row[0] for row in cursor.fetchall()):
            cursor.execute(f"SELECT count(*) FROM {_quote(table)}")  # noqa: S608 (names from the catalogue)
            tables[table] = cursor.fetchone()[0]
        cursor.execute("SELECT app, name FROM django_migrations")
        migrations = _migration_state(cursor.fetchall())
    return {"server_version": version, "schema": schema, "tables": tables, "migrations": migrations}


def _media_files(root: Path):
    """Files under ``root`` as (relative POSIX path, absolute path), in a stable order."""
    if not root.is_dir():
        return
    for directory, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(directory) / name
            if path.is_file() and not path.is_symlink():
                yield path.relative_to(root).as_posix(), path


def _add_media(tar: tarfile.TarFile, root: Path) -> dict[str, dict]:
    files = {}
    for relative, path in _media_files(root):
        try:
            fh = open(path, "rb")  # noqa: SIM115 (closed below)
        except FileNotFoundError:  # deleted since it was listed
            continue
        with fh:
            stat = os.fstat(fh.fileno())
            info = tarfile.TarInfo(f"{MEDIA_DIR}/{relative}")
            info.size, info.mtime, info.mode = stat.st_size, int(stat.st_mtime), 0o644
            reader = _HashingReader(fh)
            try:
                tar.addfile(info, reader)
            except OSError as exc:
                raise BackupError(_("%(file)s changed while it was copied: %(error)s")
                                  % {"file": path, "error": exc}) from exc
        files[relative] = {"size": stat.st_size, "sha256": reader.digest.hexdigest()}
    return files


@dataclass
class Backup:
    path: Path
    manifest: dict

    @property
    def rows(self) -> int:
        return sum(self.manifest["database"]["tables"].values())


def create_backup(output: Path | str | None = None) -> Backup:
    """Write one archive of the database and the media to ``output`` (a file, or a directory for the
    default name; default ``var/backups/``). The file appears under its name only once complete."""
    _require_no_transaction()
    vendor = connection.vendor
    if vendor not in DATABASE_FILES:
        raise BackupError(_("Backups support SQLite and PostgreSQL, not %(vendor)s.")
                          % {"vendor": connection.display_name})
    path = Path(output) if output else default_path()
    if path.is_dir():
        path = path / default_path().name
    if path.resolve().is_relative_to(Path(settings.MEDIA_ROOT).resolve()):
        raise BackupError(_("The archive cannot go inside MEDIA_ROOT (%(media)s), which it copies.")
                          % {"media": settings.MEDIA_ROOT})
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    created = dt.datetime.now(dt.UTC)
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".jiceng-backup-") as scratch:
        dump = Path(scratch) / DATABASE_FILES[vendor]
        snapshot = _snapshot_sqlite(dump) if vendor == "sqlite" else _snapshot_postgresql(dump)
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": created.isoformat(timespec="seconds"),
            "database": {
                "vendor": vendor,
                "display_name": connection.display_name,
                "file": dump.name,
                "size": dump.stat().st_size,
                "sha256": sha256_of(dump),
                **snapshot,
            },
            "media": {},
            "field_key_probe": _field_cipher().encrypt(KEY_PROBE).decode(),
        }
        partial = Path(scratch) / "archive.partial"
        with open(partial, "wb") as fh:
            with tarfile.open(fileobj=fh, mode="w:gz", compresslevel=6, format=tarfile.PAX_FORMAT) as tar:
                tar.add(dump, arcname=dump.name)
                manifest["media"] = _add_media(tar, Path(settings.MEDIA_ROOT))
                data = json.dumps(manifest, indent=1, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(data), int(created.timestamp()), 0o644
                tar.addfile(info, io.BytesIO(data))
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(partial, 0o600)  # personal data: readable by the service account only
        os.replace(partial, path)
    return Backup(path, manifest)


# --- Reading an archive -----------------------------------------------------------------------------
@dataclass
class Archive:
    """An unpacked, verified archive in a scratch directory (remove it with ``close``)."""

    path: Path
    workdir: Path
    manifest: dict
    notes: list[str] = field(default_factory=list)

    @property
    def database_file(self) -> Path:
        return self.workdir / self.manifest["database"]["file"]

    @property
    def media_dir(self) -> Path:
        return self.workdir / MEDIA_DIR

    @property
    def rows(self) -> int:
        return sum(self.manifest["database"]["tables"].values())

    def close(self) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _damaged(path, reason) -> BackupError:
    return BackupError(_("%(path)s is not a complete Jiceng backup (%(reason)s): nothing was changed.")
                       % {"path": path, "reason": reason})


def _check_manifest_shape(manifest, path) -> None:
    try:
        database = manifest["database"]
        assert manifest["format"] == FORMAT
        assert isinstance(manifest["format_version"], int)
        assert database["vendor"] in DATABASE_FILES and database["file"] == DATABASE_FILES[database["vendor"]]
        assert all(IDENTIFIER.match(t) and isinstance(n, int) for t, n in database["tables"].items())
        assert all(isinstance(names, list) for names in database["migrations"].values())
        assert IDENTIFIER.match(database.get("schema", "public"))
        assert isinstance(manifest["media"], dict)
    except (KeyError, TypeError, AttributeError, AssertionError) as exc:
        raise _damaged(path, _("its manifest is not readable")) from exc


def open_archive(path: Path | str) -> Archive:
    """Unpack ``path`` beside ``MEDIA_ROOT`` and check every file against the manifest."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(_("There is no file %(path)s.") % {"path": path})
    media_root = Path(settings.MEDIA_ROOT)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix=".jiceng-restore-", dir=media_root.parent))
    archive = Archive(path, workdir, {})
    try:
        try:
            with tarfile.open(path, "r:gz") as tar:
                tar.extractall(workdir, filter="data")
        except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
            raise _damaged(path, exc) from exc
        try:
            archive.manifest = json.loads((workdir / MANIFEST).read_text())
        except FileNotFoundError as exc:
            raise _damaged(path, _("it has no manifest")) from exc
        except ValueError as exc:
            raise _damaged(path, _("its manifest is not readable")) from exc
        _check_manifest_shape(archive.manifest, path)
        _verify_files(archive)
    except BaseException:
        archive.close()
        raise
    return archive


def _verify_files(archive: Archive) -> None:
    database = archive.manifest["database"]
    if not archive.database_file.is_file() or sha256_of(archive.database_file) != database["sha256"]:
        raise _damaged(archive.path, _("the database file is missing or damaged"))
    listed = archive.manifest["media"]
    found = {relative for relative, _path in _media_files(archive.media_dir)}
    if missing := sorted(set(listed) - found):
        raise _damaged(archive.path, _("media file %(file)s is missing") % {"file": missing[0]})
    if extra := sorted(found - set(listed)):
        raise _damaged(archive.path, _("media file %(file)s is not in the manifest") % {"file": extra[0]})
    for relative, entry in listed.items():
        if sha256_of(archive.media_dir / relative) != entry["sha256"]:
            raise _damaged(archive.path, _("media file %(file)s is damaged") % {"file": relative})


def check_compatible(archive: Archive, ignore_key: bool = False) -> None:
    """Refuse an archive this installation cannot take: newer format, other database vendor, newer
    migrations, personal fields encrypted with keys this installation does not have."""
    manifest, database = archive.manifest, archive.manifest["database"]
    if manifest["format_version"] > FORMAT_VERSION:
        raise BackupError(_("This backup was written by a newer version of Jiceng (format %(version)s): "
                            "upgrade this installation first.") % {"version": manifest["format_version"]})
    if database["vendor"] != connection.vendor:
        raise BackupError(_(
            "This backup holds a %(theirs)s database and this installation runs on %(ours)s: a backup "
            "restores only into the same kind of database."
        ) % {"theirs": database["display_name"], "ours": connection.display_name})
    known = disk_migrations()
    applied = {(app, name) for app, names in database["migrations"].items() for name in names}
    unknown = sorted(applied - known)
    if unknown:
        raise BackupError(_(
            "This backup comes from a newer version of Jiceng: its database has migrations this "
            "installation does not know (%(migrations)s). Upgrade this installation first."
        ) % {"migrations": ", ".join(f"{app}.{name}" for app, name in unknown[:5])})
    if known - applied:
        archive.notes.append(_("The backup is older than this installation: run manage.py migrate next."))
    from cryptography.fernet import InvalidToken

    try:
        _field_cipher().decrypt(manifest["field_key_probe"].encode())
    except (InvalidToken, KeyError, AttributeError):
        if not ignore_key:
            raise BackupError(_(
                "The personal fields (ID and phone numbers) in this backup were encrypted with another "
                "SECRET_KEY or FIELD_ENCRYPTION_SALT: set them as they were when the backup was made (an old "
                "key can go into SECRET_KEY_FALLBACKS). --ignore-key restores anyway, with those fields "
                "unreadable."
            )) from None
        archive.notes.append(_("The personal fields of this backup cannot be decrypted with the current keys."))


# --- Restore ----------------------------------------------------------------------------------------
def _count_mismatches(expected: dict[str, int], actual: dict[str, int]) -> list[str]:
    problems = []
    for table in sorted(set(expected) | set(actual)):
        if expected.get(table) != actual.get(table):
            problems.append(_("%(table)s: %(actual)s rows, the backup has %(expected)s")
                            % {"table": table, "actual": actual.get(table, "-"),
                               "expected": expected.get(table, "-")})
    return problems


def _restore_sqlite(archive: Archive) -> None:
    expected = archive.manifest["database"]["tables"]
    try:
        source = sqlite3.connect(archive.database_file)
        try:
            if source.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise _damaged(archive.path, _("the database file is damaged"))
            if problems := _count_mismatches(expected, _sqlite_counts(source)):
                raise _damaged(archive.path, problems[0])
            connection.close()
            connection.ensure_connection()
            # The backup API writes the whole copy into the live database in one transaction: other
            # connections see the old data or the new, never a mix.
            source.backup(connection.connection)
        finally:
            source.close()
    except sqlite3.Error as exc:
        raise BackupError(_("The database was not restored (nothing was changed): %(error)s")
                          % {"error": exc}) from exc
    finally:
        connection.close()


def _restore_postgresql(archive: Archive) -> None:
    database = archive.manifest["database"]
    schema = database.get("schema", "public")
    restore_args, restore_env = _pg_command(
        "pg_restore", ["--no-owner", "--no-privileges", "--clean", "--if-exists", "--file=-",
                       str(archive.database_file)], connect=False)
    psql_args, psql_env = _pg_command("psql", ["--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1"])
    # Everything runs in one transaction that is committed only at the very end: the tables of the schema
    # dropped (also those of later migrations, which the dump does not know), the dump replayed, the counts
    # checked. If pg_restore stops early, COMMIT is never sent and the server rolls it all back.
    # Names in this SQL come from the manifest, checked against IDENTIFIER when the archive was opened.
    prelude = (
        "BEGIN;\n"  # noqa: S608
        "SET LOCAL lock_timeout = '60s';\n"
        "SET LOCAL client_min_messages = warning;\n"
        "DO $$DECLARE t record; BEGIN\n"
        f"  FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = '{schema}' LOOP\n"
        f"    EXECUTE format('DROP TABLE IF EXISTS %I.%I CASCADE', '{schema}', t.tablename);\n"
        "  END LOOP;\nEND$$;\n"
    )
    checks = "".join(
        f"  SELECT count(*) INTO n FROM {_quote(schema)}.{_quote(table)};\n"  # noqa: S608
        f"  IF n <> {count} THEN RAISE EXCEPTION 'table {table} has % rows, the backup {count}', n; END IF;\n"
        for table, count in sorted(database["tables"].items())
    )
    finale = (
        f"DO $$DECLARE n bigint; BEGIN\n{checks}"  # noqa: S608
        f"  SELECT count(*) INTO n FROM pg_tables WHERE schemaname = '{schema}';\n"
        f"  IF n <> {len(database['tables'])} THEN RAISE EXCEPTION 'the schema has % tables, the backup "
        f"{len(database['tables'])}', n; END IF;\nEND$$;\nCOMMIT;\n"
    )
    connection.close()  # no session of ours holds a lock the restore waits for
    with tempfile.TemporaryFile() as restore_errors, tempfile.TemporaryFile() as psql_errors:
        psql = subprocess.Popen(psql_args, env=psql_env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                stderr=psql_errors)
        producer = subprocess.Popen(restore_args, env=restore_env, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE, stderr=restore_errors)
        committed = False
        try:
            psql.stdin.write(prelude.encode())
            shutil.copyfileobj(producer.stdout, psql.stdin, CHUNK)
            if producer.wait() == 0:
                psql.stdin.write(finale.encode())
                committed = True
        except BrokenPipeError:  # psql stopped at an error: the transaction is rolled back
            pass
        finally:
            with contextlib.suppress(BrokenPipeError):
                psql.stdin.close()
            if producer.poll() is None:
                producer.kill()
            producer.wait()
            producer.stdout.close()
            psql.wait()
        if psql.returncode != 0 or not committed:
            errors = b""
            for stream in (restore_errors, psql_errors):
                stream.seek(0)
                errors += stream.read()
            raise BackupError(_("The database was not restored (nothing was changed): %(error)s")
                              % {"error": errors.decode(errors="replace").strip()[-2000:]})


def _swap_media(staged: Path) -> None:
    """Put ``staged`` in place of ``MEDIA_ROOT`` (by renaming; content by content when it is a mount)."""
    root = Path(settings.MEDIA_ROOT)
    staged.mkdir(exist_ok=True)
    if not root.exists():
        os.replace(staged, root)
        return
    old = Path(tempfile.mkdtemp(prefix=".jiceng-media-replaced-", dir=root.parent))
    old.rmdir()
    try:
        os.replace(root, old)
    except OSError:  # MEDIA_ROOT is a mount point: swap its contents instead
        old.mkdir(exist_ok=True)
        for child in list(root.iterdir()):
            shutil.move(child, old / child.name)
        for child in list(staged.iterdir()):
            shutil.move(child, root / child.name)
    else:
        os.replace(staged, root)
    shutil.rmtree(old, ignore_errors=True)


@dataclass
class Restored:
    tables: int
    rows: int
    media_files: int
    problems: list[str]


def restore_archive(archive: Archive) -> Restored:
    """Replace the database and the media with the archive's (checked with ``check_compatible`` first)."""
    _require_no_transaction()
    if archive.manifest["database"]["vendor"] == "sqlite":
        _restore_sqlite(archive)
    else:
        _restore_postgresql(archive)
    _swap_media(archive.media_dir)
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import cache

    ContentType.objects.clear_cache()
    cache.clear()  # cached figures and places describe the data just replaced
    expected = archive.manifest["database"]["tables"]
    return Restored(tables=len(expected), rows=archive.rows, media_files=len(archive.manifest["media"]),
                    problems=_count_mismatches(expected, live_row_counts()))
