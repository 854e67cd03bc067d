"""manage.py backup and manage.py restore: a round trip gives back exactly the data and the uploaded files of
backup time; a damaged archive, one from another database or a newer version, or one encrypted with other
keys is refused and changes nothing."""

import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from cases.models import Case, CaseEvent, CasePhoto
from cases.tests.api_builders import jpeg
from core.privacy import id_check_character
from jiceng.testing import make_case
from people import actions as people
from people.models import Resident

pytestmark = pytest.mark.django_db(transaction=True)  # the dumps read committed data

ID_NUMBER = "11010119900307123" + id_check_character("11010119900307123")


@pytest.fixture
def site(world):
    """Three cases (one with a photo, one moved on), a resident with encrypted fields and an audit entry."""
    first = make_case(world.grid_a, title="路灯不亮", photos=[jpeg("lamp.jpg", color=(10, 200, 30))])
    second = make_case(world.grid_b, title="井盖缺失")
    make_case(world.grid_a, title="垃圾堆积")
    from cases.actions import register_case

    register_case(second, world.users["dispatcher"])
    people.create_resident(world.users["worker_a"], name="张三", grid=world.grid_a, id_number=ID_NUMBER,
                           phone="13812345678")
    assert LogEntry.objects.get_for_model(Resident).exists()
    return world, first


def media_files() -> dict[str, bytes]:
    root = Path(settings.MEDIA_ROOT)
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def state() -> dict:
    """What a user of the site would see of the data, and the uploaded files byte for byte."""
    return {
        "cases": list(Case.objects.order_by("pk").values_list("pk", "number", "title", "status")),
        "events": {case.pk: case.events.count() for case in Case.objects.all()},
        "all_events": CaseEvent.objects.count(),
        "photos": list(CasePhoto.objects.order_by("pk").values_list("case_id", "image")),
        "residents": [(r.name, r.id_number, r.phone) for r in Resident.objects.order_by("pk")],
        "audit": list(LogEntry.objects.order_by("pk").values_list("pk", "object_repr", "action")),
        "media": media_files(),
    }


def backup(path=None) -> str:
    out = io.StringIO()
    call_command("backup", *(["--output", str(path)] if path else []), stdout=out)
    return out.getvalue()


def restore(path, *extra) -> str:
    out = io.StringIO()
    call_command("restore", str(path), "--noinput", *extra, stdout=out)
    return out.getvalue()


def rewritten(source: Path, target: Path, manifest=None, member=None) -> Path:
    """A copy of the archive with its manifest (dict -> dict) or its members ((name, bytes) -> (name, bytes))
    changed."""
    with tarfile.open(source, "r:gz") as old, tarfile.open(target, "w:gz") as new:
        for info in old.getmembers():
            name, data = info.name, old.extractfile(info).read()
            if name == "manifest.json" and manifest:
                data = json.dumps(manifest(json.loads(data))).encode()
            elif member:
                name, data = member(name, data)
            copy = tarfile.TarInfo(name)
            copy.size = len(data)
            new.addfile(copy, io.BytesIO(data))
    return target


def test_a_restore_brings_back_the_data_and_the_files_of_backup_time(site, settings, tmp_path):
    world, first = site
    settings.VAR_DIR = tmp_path / "var"
    before = state()
    assert len(before["media"]) == 1 and before["residents"] == [("张三", ID_NUMBER, "13812345678")]

    output = backup()  # by default into var/backups/, named after the time
    archive = next((tmp_path / "var" / "backups").glob("jiceng-backup-*Z.tar.gz"))
    assert str(archive) in output and "Uploaded files: 1." in output
    assert archive.stat().st_mode & 0o077 == 0  # personal data: for the service account only

    # Life goes on: a case deleted, one added with a photo, an uploaded file lost, a phone number changed.
    Case.objects.filter(pk=before["cases"][2][0]).delete()
    make_case(world.grid_b, title="新的事件", photos=[jpeg("new.jpg")])
    Path(first.photos.get().image.path).unlink()
    resident = Resident.objects.get()
    people.update_resident(resident, world.users["worker_a"], phone="13900000000")
    with connection.cursor() as cursor:  # as a later migration would: a table the backup does not know
        cursor.execute("CREATE TABLE later_feature (id integer)")
    assert state() != before and len(media_files()) == 1 and media_files().keys() != before["media"].keys()

    output = restore(archive)
    assert state() == before
    assert "the counts match the backup" in output
    assert "later_feature" not in connection.introspection.table_names()  # so migrate can create it again
    # The restored database goes on working: new numbers continue after the restored ones.
    later = make_case(world.grid_a, title="之后的事件")
    assert later.pk > max(pk for pk, *_rest in before["cases"])


def test_a_damaged_archive_is_refused_and_nothing_changes(site, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    backup(archive)
    make_case(site[0].grid_b, title="备份之后的事件", photos=[jpeg("after.jpg")])
    now = state()

    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(CommandError, match="is not a complete Jiceng backup"):
        restore(truncated)
    assert state() == now

    def spoil_photo(name, data):
        return name, (data[:-10] + b"0123456789" if name.startswith("media/") else data)

    with pytest.raises(CommandError, match=r"media file cases/.*\.jpg is damaged"):
        restore(rewritten(archive, tmp_path / "spoilt.tar.gz", member=spoil_photo))
    assert state() == now

    # A database file cut short, with a manifest to match: it fails while it is loaded, and the database
    # is left as it was (PostgreSQL rolls the whole load back; SQLite never starts it).
    database = "database.sqlite3" if connection.vendor == "sqlite" else "database.pgdump"
    cut = {}

    def cut_database(name, data):
        if name == database:
            data = cut["data"] = data[: len(data) * 2 // 3]
        return name, data

    def matching(manifest):
        manifest["database"].update(size=len(cut["data"]), sha256=hashlib.sha256(cut["data"]).hexdigest())
        return manifest

    with pytest.raises(CommandError, match=r"database was not restored \(nothing was changed\)"):
        restore(rewritten(archive, tmp_path / "cut.tar.gz", manifest=matching, member=cut_database))
    assert state() == now
    # Nothing left behind beside the media directory either.
    assert not list(Path(settings.MEDIA_ROOT).parent.glob(".jiceng-*"))


def test_an_archive_from_another_database_or_a_newer_version_is_refused(site, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    backup(archive)
    ours, other = ("SQLite", "PostgreSQL") if connection.vendor == "sqlite" else ("PostgreSQL", "SQLite")
    files = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
    other_vendor = "postgresql" if connection.vendor == "sqlite" else "sqlite"

    def as_other_vendor(manifest):
        manifest["database"].update(vendor=other_vendor, display_name=other, file=files[other_vendor])
        return manifest

    def rename_database(name, data):
        return (files[other_vendor] if name == files[connection.vendor] else name), data

    foreign = rewritten(archive, tmp_path / "foreign.tar.gz", manifest=as_other_vendor, member=rename_database)
    Case.objects.all().delete()
    now = state()
    with pytest.raises(CommandError, match=f"holds a {other} database and this installation runs on {ours}"):
        restore(foreign)

    def newer(manifest):
        manifest["database"]["migrations"]["cases"].append("9999_from_the_future")
        return manifest

    with pytest.raises(CommandError, match=r"newer version of Jiceng.*cases\.9999_from_the_future"):
        restore(rewritten(archive, tmp_path / "newer.tar.gz", manifest=newer))
    assert state() == now


def test_a_backup_made_with_other_keys_is_refused(site, settings, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    backup(archive)
    Case.objects.all().delete()
    now = state()
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "another-installation-secret-key-0123456789", []
    with pytest.raises(CommandError, match="encrypted with another SECRET_KEY"):
        restore(archive)
    assert state() == now


def test_restore_asks_before_replacing_anything(site, tmp_path, monkeypatch):
    archive = tmp_path / "backup.tar.gz"
    backup(archive)
    Case.objects.all().delete()
    now = state()
    questions = []
    monkeypatch.setattr("builtins.input", lambda prompt: questions.append(prompt) or "no")
    with pytest.raises(CommandError, match="Restore cancelled"):
        call_command("restore", str(archive), stdout=io.StringIO())
    assert "replaces ALL data" in questions[0]
    assert state() == now
