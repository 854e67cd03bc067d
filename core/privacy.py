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
