"""ID numbers, encryption at rest, masking per role and the audited full view."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import RequestFactory

from accounts.models import Role
from core.privacy import id_check_character
from jiceng.testing import make_user
from people import actions, privacy
from people.models import Move, Resident, SensitiveView

pytestmark = pytest.mark.django_db


def valid_id(first17: str) -> str:
    return first17 + id_check_character(first17)


ZHANG_ID = valid_id("11010119900307123")  # born 1990-03-07, 17th digit 3: male
LI_ID = valid_id("11010119851212002")  # female


@pytest.fixture
def people_users(world):
    users = dict(world.users)
    users["mediator"] = make_user("mediator_a", Role.MEDIATOR, [world.community_a])
    users["justice"] = make_user("justice_a", Role.JUSTICE_OFFICER, [world.street])
    users["worker_b"] = make_user("worker_b", Role.GRID_WORKER, [world.grid_b])
    return users


@pytest.fixture
def zhang(world):
    return actions.create_resident(world.users["worker_a"], name="张三", grid=world.grid_a, id_number=ZHANG_ID,
                                   phone="13812345678", household_no="H001", is_household_head=True)


def request_for(user, addr="10.1.2.3"):
    request = RequestFactory().post("/", REMOTE_ADDR=addr)
    request.user = user
    return request


@pytest.mark.parametrize(("number", "field_error"), [
    (valid_id("11010119800101001"), None),
    ("11010519491231002X", None),  # the standard's own example, check character X
    ("110105194912310021", "does not match"),
    ("110105194913310029", "not a real date"),
    ("11010519491231002", "18 characters"),
    ("1101051949123100212", "18 characters"),
])
def test_id_numbers_are_checked_with_a_clear_message(world, number, field_error):
    worker = world.users["worker_a"]
    if field_error is None:
        resident = actions.create_resident(worker, name="王五", grid=world.grid_a, id_number=number.lower())
        assert resident.id_number == number.upper()
        return
    with pytest.raises(ValidationError) as exc:
        actions.create_resident(worker, name="王五", grid=world.grid_a, id_number=number)
    assert field_error in " ".join(exc.value.message_dict["id_number"])
    assert not Resident.objects.exists()


def test_gender_and_birth_date_come_from_the_id_number(zhang, world):
    assert zhang.birth_date == datetime.date(1990, 3, 7)
    assert zhang.gender == "male"
    li = actions.create_resident(world.users["worker_a"], name="李四", grid=world.grid_a, id_number=LI_ID,
                                 gender="male")
    assert li.gender == "male"  # what was typed wins
    assert li.birth_date == datetime.date(1985, 12, 12)


def test_the_raw_id_number_and_phone_never_reach_the_database(zhang):
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone, id_hash FROM people_resident WHERE id = %s", [zhang.pk])
        raw_id, raw_phone, digest = cursor.fetchone()
    assert ZHANG_ID not in str(raw_id) and "13812345678" not in str(raw_phone)
    assert ZHANG_ID not in digest and len(digest) == 64
    # Nothing else stores it either (the audit log leaves the encrypted fields out).
    from auditlog.models import LogEntry

    assert LogEntry.objects.count() >= 1
    for entry in LogEntry.objects.all():
        assert ZHANG_ID not in str(entry.changes) and "13812345678" not in str(entry.changes)
    assert Resident.objects.get(pk=zhang.pk).id_number == ZHANG_ID


def test_no_table_of_the_database_holds_the_raw_id_number(world):
    """Every row of every table (the audit log included) is free of the ID number and the phone."""
    actions.create_resident(world.users["worker_a"], name="张三", grid=world.grid_a, id_number=ZHANG_ID,
                            phone="13812345678")
    found_name = False
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - table names from the database itself
            for row in cursor.fetchall():
                text = " ".join(str(value) for value in row)
                found_name = found_name or "张三" in text
                assert ZHANG_ID not in text and "13812345678" not in text, table
    assert found_name  # the scan is real: the name is stored in clear


def test_who_may_see_full_values(zhang, people_users):
    may = {name: privacy.may_see_full(user, zhang) for name, user in people_users.items()}
    assert may["worker_a"] and may["staff_a"] and may["justice"] and may["admin_a"] and may["root"]
    assert not may["mediator"] and not may["leader"] and not may["dispatcher"] and not may["resident_a"]
    assert not may["staff_b"] and not may["worker_b"]


def test_reveal_is_recorded_and_a_refusal_records_nothing(zhang, people_users):
    values = privacy.reveal(request_for(people_users["worker_a"]), zhang, reason="上门核实")
    assert values == {"id_number": ZHANG_ID, "phone": "13812345678"}
    view = SensitiveView.objects.get()
    assert (view.user, view.model, view.object_id) == (people_users["worker_a"], "people.resident", zhang.pk)
    assert view.fields == "id_number,phone" and view.remote_addr == "10.1.2.3" and view.reason == "上门核实"
    with pytest.raises(PermissionDenied):
        privacy.reveal(request_for(people_users["mediator"]), zhang)
    assert SensitiveView.objects.count() == 1
    assert privacy.masked(zhang) == {"id_number": "1101**********" + ZHANG_ID[-4:], "phone": "138****5678"}


def test_a_duplicate_id_number_is_refused(zhang, people_users, world):
    with pytest.raises(ValidationError) as exc:
        actions.create_resident(people_users["worker_a"], name="张三丰", grid=world.grid_a, id_number=ZHANG_ID)
    assert "张三" in exc.value.message_dict["id_number"][0]
    # From another community: told it exists, never where or who.
    with pytest.raises(ValidationError) as exc:
        actions.create_resident(people_users["worker_b"], name="某人", grid=world.grid_b, id_number=ZHANG_ID)
    message = exc.value.message_dict["id_number"][0]
    assert "already registered" in message and "张三" not in message and str(zhang.pk) not in message
    # Once moved out, the person may be registered elsewhere.
    actions.move_resident(zhang, people_users["worker_a"], "out", note="搬走")
    assert actions.create_resident(people_users["worker_b"], name="张三", grid=world.grid_b, id_number=ZHANG_ID)


def test_moves_keep_the_history(zhang, people_users, world):
    worker = people_users["worker_a"]
    actions.move_resident(zhang, worker, "out", at=datetime.date(2026, 3, 1), note="回老家")
    zhang.refresh_from_db()
    assert zhang.status == "moved_out" and zhang.moved_out == datetime.date(2026, 3, 1)
    with pytest.raises(ValidationError):
        actions.move_resident(zhang, worker, "out")
    actions.move_resident(zhang, worker, "in", to_grid=world.grid_a, at=datetime.date(2026, 6, 1))
    zhang.refresh_from_db()
    assert zhang.status == "present" and zhang.moved_out is None
    kinds = list(Move.objects.filter(resident=zhang).order_by("id").values_list("kind", flat=True))
    assert kinds == ["in", "out", "in"]


def test_writes_stay_inside_the_scope(people_users, world, zhang):
    with pytest.raises(ValidationError) as exc:
        actions.create_resident(people_users["worker_a"], name="越界", grid=world.grid_b)
    assert "grid" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        actions.create_resident(people_users["mediator"], name="调解", grid=world.grid_a)
    with pytest.raises(ValidationError):
        actions.move_resident(zhang, people_users["worker_a"], "transfer", to_grid=world.grid_b)


def test_rehash_ids_recomputes_hashes(zhang, settings):
    from django.core.management import call_command

    settings.ID_HASH_KEY = "another-key"
    call_command("rehash_ids", stdout=io.StringIO())
    from core.privacy import id_hash

    assert Resident.objects.get(pk=zhang.pk).id_hash == id_hash(ZHANG_ID)
    assert settings.ID_HASH_KEY == "another-key"
