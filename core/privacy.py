"""Masking of personal data for display: shown in full only where a view decides it may be."""


def mask_phone(phone: str | None) -> str:
    """13812345678 -> 138****5678; short numbers keep only their last two digits."""
    if not phone:
        return ""
    phone = phone.strip()
    if len(phone) >= 8:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    return "*" * max(0, len(phone) - 2) + phone[-2:]


def mask_name(name: str | None) -> str:
    """张三丰 -> 张**; a Latin name keeps its first letter."""
    if not name:
        return ""
    return name[0] + "*" * (len(name) - 1)


# --- Resident identity card numbers (居民身份证号码, GB 11643-1999) --------------------------------
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def normalize_id_number(value: str | None) -> str:
    """Strip spaces and make the check character upper case (x → X)."""
    return "".join((value or "").split()).upper()


def id_number_error(value: str | None) -> str | None:
    """Why this is not a valid 18-character ID number (an untranslated key), or None.

    Checks the form (17 digits and a digit or X), the date of birth and the GB 11643 check
    character (ISO 7064 MOD 11-2)."""
    import datetime

    number = normalize_id_number(value)
    if len(number) != 18 or not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        return "format"
    try:
        born = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return "birth_date"
    if born.year < 1900 or born > datetime.date.today():
        return "birth_date"
    if ID_CHECK[sum(int(d) * w for d, w in zip(number[:17], ID_WEIGHTS, strict=True)) % 11] != number[17]:
        return "check_digit"
    return None


def id_check_character(first17: str) -> str:
    return ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def mask_id_number(value: str | None) -> str:
    """110101199003071234 -> 1101**********1234 (the region's first four and the last four stay)."""
    number = normalize_id_number(value)
    if not number:
        return ""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def id_hash(value: str | None) -> str:
    """A keyed hash (HMAC-SHA256) of a normalised ID number, for exact search without decrypting.

    The key is ``settings.ID_HASH_KEY`` (from the environment; derived from SECRET_KEY when unset).
    Changing it needs ``manage.py rehash_ids`` (people app) to recompute the stored hashes."""
    import hashlib
    import hmac

    from django.conf import settings

    number = normalize_id_number(value)
    if not number:
        return ""
    return hmac.new(settings.ID_HASH_KEY.encode(), number.encode(), hashlib.sha256).hexdigest()
