"""Records of community B for the scope-isolation probes of the case API (see jiceng/tests/test_scope_isolation.py)."""

from __future__ import annotations

import io

from django.core.files.base import ContentFile
from PIL import Image

from jiceng.testing import case_of


def jpeg(name: str = "photo.jpg", size=(64, 48), color=(200, 80, 40)) -> ContentFile:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    return ContentFile(out.getvalue(), name=name)


def photo_of(world, key: str = "b"):
    """A photo of the case of community A or B (made on first use)."""
    from cases.models import CasePhoto

    case = case_of(world, key)
    photo = case.photos.first()
    if photo is None:
        photo = CasePhoto(case=case, event=case.events.first())
        photo.image.save("probe.jpg", jpeg(), save=False)
        photo.save()
    return photo


def duty_of(world, key: str = "b"):
    """A duty-list row of community A or B (made on first use)."""
    from cases.models import Category, DutyAssignment

    category, _created = Category.objects.get_or_create(code="9901", defaults={"name": "测试类别"})
    unit, department = (world.community_b, world.department_b) if key == "b" else (world.community_a,
                                                                                   world.department_a)
    duty, _created = DutyAssignment.objects.get_or_create(org_unit=unit, category=category,
                                                          defaults={"department": department})
    return duty
