"""Audit trail: every create, update and delete of a domain record, with actor, time, source IP
and changed fields, through django-auditlog (works the same on SQLite and PostgreSQL).

Register each domain model here, in one list, so nothing is forgotten.
"""

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps

# model label -> fields never written to the log (secrets and noise)
AUDITED = {
    "places.OrgUnit": {"exclude_fields": ["updated", "created", "centroid_lon", "centroid_lat"]},
    "places.Department": {},
    "cases.Category": {},
    "cases.DutyAssignment": {},
    "cases.CalendarDay": {},
    "cases.CalendarYear": {},
    # Cases keep their own timeline (CaseEvent: who, when, from, to, why) instead of auditlog rows.
    "accounts.User": {"exclude_fields": ["password", "last_login"], "m2m_fields": {"scope_units"}},
    "open311.ApiKey": {"exclude_fields": ["key_hash", "last_used"]},
    # The registers (一标三实). Encrypted fields would be logged decrypted: never write their values.
    "people.Address": {"exclude_fields": ["created", "updated", "path"]},
    "people.House": {"exclude_fields": ["created", "updated", "path", "landlord_phone"]},
    "people.Resident": {"exclude_fields": ["created", "updated", "path", "id_number", "id_hash", "phone"],
                        "m2m_fields": {"tags"}},
    "people.UnitOrg": {"exclude_fields": ["created", "updated", "path", "contact_phone"]},
    "people.Tag": {},
    # Special-care persons (their CareEvent timeline is the business history; auditlog records edits).
    "care.SpecialPerson": {"exclude_fields": ["created", "updated", "path", "alert_stage"]},
    "care.HelpGroupMember": {},
    "care.Visit": {"exclude_fields": ["recorded_at"]},
    # Disputes keep their own timeline (DisputeEvent); auditlog records the organisation and the
    # rules, and the parties without their encrypted fields.
    "disputes.Committee": {"exclude_fields": ["created", "updated", "path"]},
    "disputes.Mediator": {},
    "disputes.GradeRule": {},
    "disputes.TierRule": {},
    "disputes.Party": {"exclude_fields": ["id_number", "id_hash", "phone"]},
    # Points: the ledger (Entry) is its own audit trail; the rules and the shop's items are audited.
    "points.Rule": {},
    "points.Item": {"exclude_fields": ["created", "updated", "path"]},
}


def register_models():
    for label, options in AUDITED.items():
        model = apps.get_model(label)
        if not auditlog.contains(model):
            auditlog.register(model, **options)


def history(obj):
    """Audit entries of one record, newest first."""
    return LogEntry.objects.get_for_object(obj).select_related("actor").order_by("-timestamp")
