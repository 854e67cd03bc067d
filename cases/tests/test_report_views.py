"""The reporting pages, the public report, tracking by code and "my reports", as a person uses them."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from PIL import Image

from accounts.models import Role
from cases import actions, report_views
from cases.models import Case, CasePhoto, Source, Status
from jiceng.testing import make_user

pytestmark = pytest.mark.django_db

IN_A = {"longitude": "116.405", "latitude": "39.905"}
IN_B = {"longitude": "116.415", "latitude": "39.905"}
NOWHERE = {"longitude": "100.0", "latitude": "30.0"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def en(client):
    """A browser that asks for English pages."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def image(name="photo.jpg", fmt="JPEG", size=(640, 480)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (90, 140, 200)).save(buffer, fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def form_data(cw, **extra):
    return {"category": str(cw.litter.pk), "description": "垃圾堆在路边", "address": "多福巷 3 号门口",
            **IN_A, **extra}


def closed_case(cw, **options):
    """A case reported without an account and walked through the whole loop to closed."""
    u = cw.users
    u["handler"].full_name = "处置员赵六"
    u["handler"].save()
    u["inspector"].full_name = "核查员钱七"
    u["inspector"].save()
    u["dispatcher"].full_name = "派遣员孙八"
    u["dispatcher"].save()
    options = {"actor": None, "source": Source.RESIDENT, "category": cw.litter, "description": "井盖松动",
               "longitude": 116.405, "latitude": 39.905, "reporter_name": "李先生", "reporter_phone": "13912345678",
               **options}
    case, _created = actions.report_case(**options)
    case = actions.register_case(case, u["dispatcher"], "内部：立案备注")
    case = actions.dispatch_case(case, u["dispatcher"], note="内部：派遣备注")
    case = actions.accept_case(case, u["handler"])
    case = actions.resolve_case(case, u["handler"], "已更换井盖")
    case = actions.verify_case(case, u["inspector"], "内部：核查备注")
    return actions.close_case(case, u["dispatcher"], "内部：结案备注")


# --- Signed-in reporting --------------------------------------------------------------------------
def test_a_grid_worker_reports_a_point_with_a_photo_and_sees_the_number(cw, en):
    en.force_login(cw.users["worker_a"])
    response = en.post(reverse("public:report"), form_data(cw, photos=[image()], client_id="c0ffee-0001-abcdef"))
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == reverse("public:report-done", args=[case.pk])
    assert case.grid == cw.grid_a and case.source == Source.PATROL and case.reporter == cw.users["worker_a"]
    assert case.description == "垃圾堆在路边" and case.address == "多福巷 3 号门口"
    assert (case.longitude, case.latitude) == (116.405, 39.905)
    photo = CasePhoto.objects.get(case=case)
    assert photo.image.storage.exists(photo.image.name) and photo.width == 640
    page = en.get(response.url).content.decode()
    assert case.number in page and case.tracking_code in page and "Your report has been sent" in page


def test_a_resubmission_with_the_same_client_id_gives_the_same_case(cw, en):
    en.force_login(cw.users["worker_a"])
    data = form_data(cw, client_id="retry-after-network-failure-1")
    first = en.post(reverse("public:report"), data)
    again = en.post(reverse("public:report"), {**data, "description": "第二次提交"})
    assert Case.objects.count() == 1
    assert first.url == again.url == reverse("public:report-done", args=[Case.objects.get().pk])


def test_a_point_outside_every_grid_is_an_error_next_to_the_map_and_keeps_the_text(cw, en):
    en.force_login(cw.users["worker_a"])
    response = en.post(reverse("public:report"), form_data(cw, description="井盖不见了，很危险", **NOWHERE))
    assert response.status_code == 200 and not Case.objects.exists()
    page = response.content.decode()
    assert "outside every grid" in page
    assert "井盖不见了，很危险" in page and "多福巷 3 号门口" in page
    errors = response.context["form"].errors
    assert list(errors) == ["longitude"]


def test_a_grid_worker_cannot_report_into_another_community(cw, en):
    en.force_login(cw.users["worker_a"])
    response = en.post(reverse("public:report"), form_data(cw, **IN_B))
    assert "outside the area you report for" in response.content.decode()
    assert "银闸" not in response.content.decode()
    assert not Case.objects.exists()


def test_missing_text_no_point_a_file_that_is_not_a_photo_and_too_many_photos(cw, en):
    en.force_login(cw.users["worker_a"])
    not_a_photo = SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")
    response = en.post(reverse("public:report"), {"category": str(cw.litter.pk), "description": "  ",
                                                  "photos": [not_a_photo]})
    errors = response.context["form"].errors
    assert set(errors) == {"description", "longitude", "photos"}
    assert "notes.txt is not a photo" in errors["photos"][0]
    response = en.post(reverse("public:report"), form_data(cw, photos=[image(f"p{i}.jpg") for i in range(10)]))
    assert "At most 9 photos" in response.context["form"].errors["photos"][0]
    # A major class with minor classes is not a choice.
    response = en.post(reverse("public:report"), form_data(cw, category=str(cw.major.pk)))
    assert "category" in response.context["form"].errors
    assert not Case.objects.exists()


def test_the_form_groups_minor_classes_and_offers_urgency_to_staff_only(cw, en):
    en.force_login(cw.users["worker_a"])
    page = en.get(reverse("public:report")).content.decode()
    assert '<optgroup label="市容环境">' in page and "暴露垃圾" in page and "井盖破损" in page
    assert 'name="urgency"' in page and 'capture="environment"' in page and "multiple" in page
    assert reverse("places:grids-geojson") in page
    en.force_login(cw.users["resident_a"])
    page = en.get(reverse("public:report")).content.decode()
    assert 'name="urgency"' not in page
    en.post(reverse("public:report"), form_data(cw, urgency="urgent"))
    case = Case.objects.get()
    assert case.source == Source.RESIDENT and case.urgency == "normal" and case.reporter == cw.users["resident_a"]


def test_staff_report_urgent_cases(cw, en):
    en.force_login(cw.users["staff_a"])
    en.post(reverse("public:report"), form_data(cw, urgency="urgent"))
    case = Case.objects.get()
    assert case.urgency == "urgent" and case.source == Source.RESIDENT


def test_who_may_use_the_report_page(cw, client):
    assert client.get(reverse("public:report")).status_code == 302  # to the sign-in page
    client.force_login(cw.users["dispatcher"])
    assert client.get(reverse("public:report")).status_code == 403
    assert client.get(reverse("public:mine")).status_code == 403


# --- The public form ------------------------------------------------------------------------------
def public_data(cw, **extra):
    return {**form_data(cw), "name": "王女士", "phone": "138 1234 5678", "client_id": "public-client-0001",
            **extra}


def test_a_resident_without_an_account_reports_and_gets_the_tracking_code(cw, en):
    response = en.post(reverse("public:public-report"), public_data(cw, photos=[image("a.png", "PNG")]))
    assert response.status_code == 302 and response.url == reverse("public:public-report-done")
    case = Case.objects.get()
    assert case.reporter is None and case.source == Source.RESIDENT and case.grid == cw.grid_a
    assert case.reporter_name == "王女士" and case.reporter_phone == "13812345678"
    assert case.photos.count() == 1
    with connection.cursor() as cursor:
        cursor.execute("select reporter_phone from cases_case where id = %s", [case.pk])
        assert "13812345678" not in cursor.fetchone()[0]
    page = en.get(response.url).content.decode()
    assert case.tracking_code in page and case.number in page
    assert reverse("public:track-detail", args=[case.tracking_code]) in page
    assert "13812345678" not in page


def test_the_public_form_wants_a_real_phone_number(cw, en):
    for bad in ("", "12345", "23812345678", "010-123"):
        response = en.post(reverse("public:public-report"), public_data(cw, phone=bad))
        assert "phone" in response.context["form"].errors, bad
    assert not Case.objects.exists()
    en.post(reverse("public:public-report"), public_data(cw, phone="(010) 6512-3456"))
    assert Case.objects.get().reporter_phone == "010-65123456"


def test_a_honeypot_filled_in_is_refused(cw, en):
    response = en.post(reverse("public:public-report"), public_data(cw, website="http://spam.example"))
    assert response.status_code == 400 and not Case.objects.exists()
    assert "could not be accepted" in response.content.decode()


def test_reports_per_address_are_limited_with_a_friendly_message(cw, en, monkeypatch):
    monkeypatch.setattr(report_views, "PUBLIC_REPORTS_PER_HOUR", 2)
    for i in range(2):
        assert en.post(reverse("public:public-report"), public_data(cw, client_id=f"client-id-{i:04d}")).status_code \
            == 302
    response = en.post(reverse("public:public-report"), public_data(cw, client_id="client-id-9999",
                                                                    description="第三条"))
    assert response.status_code == 429 and Case.objects.count() == 2
    page = response.content.decode()
    assert "try again later" in page and "第三条" in page
    # Another address is not affected.
    assert en.post(reverse("public:public-report"), public_data(cw, client_id="client-id-other"),
                   REMOTE_ADDR="10.1.2.3").status_code == 302


def test_a_signed_in_reporter_is_sent_to_their_own_form_and_the_map_area_has_no_names(cw, client):
    client.force_login(cw.users["resident_a"])
    assert client.get(reverse("public:public-report")).url == reverse("public:report")
    client.logout()
    page = client.get(reverse("public:public-report")).content.decode()
    assert reverse("public:service-area") in page and 'name="website"' in page
    area = client.get(reverse("public:service-area")).json()
    assert area["type"] == "FeatureCollection" and len(area["features"]) == 1
    assert area["features"][0]["properties"] == {}


# --- Tracking -------------------------------------------------------------------------------------
def test_the_tracking_page_shows_the_progress_but_no_names_phones_or_internal_notes(cw, en):
    case = closed_case(cw)
    response = en.get(reverse("public:track-detail", args=[case.tracking_code]))
    assert response.status_code == 200
    page = response.content.decode()
    assert case.number in page and "Closed" in page and "已更换井盖" in page
    assert "Sent to the department responsible" in page and "Checked on site" in page
    for secret in ("处置员赵六", "核查员钱七", "派遣员孙八", "李先生", "13912345678", "139****5678", "内部",
                   cw.roads.name):
        assert secret not in page, secret
    assert 'name="satisfaction"' in page
    # Lower case and spaces are forgiven: the page moves to the code as issued.
    loose = en.get(reverse("public:track-detail", args=[case.tracking_code.lower()]))
    assert loose.status_code == 302


def test_an_open_case_shows_no_result_and_no_rating_form(cw, en):
    case, _created = actions.report_case(actor=None, source=Source.RESIDENT, category=cw.litter, description="路灯坏了",
                                         longitude=116.405, latitude=39.905, reporter_phone="13900001111")
    page = en.get(reverse("public:track-detail", args=[case.tracking_code])).content.decode()
    assert "Reported" in page and 'name="satisfaction"' not in page
    assert 'aria-current="step"' in page


def test_rating_a_closed_case_with_its_code_works_once(cw, en):
    case = closed_case(cw)
    url = reverse("public:track-detail", args=[case.tracking_code])
    response = en.post(url, {"satisfaction": "4", "note": "修得很快"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.EVALUATED and case.satisfaction == 4 and case.evaluation == "修得很快"
    page = en.get(url).content.decode()
    assert "Thank you for your rating" in page and "Your rating" in page and 'name="satisfaction"' not in page
    en.post(url, {"satisfaction": "1"})
    case.refresh_from_db()
    assert case.satisfaction == 4 and case.events.filter(action="evaluate").count() == 1


def test_a_rating_needs_stars(cw, en):
    case = closed_case(cw)
    response = en.post(reverse("public:track-detail", args=[case.tracking_code]), {"satisfaction": "9"})
    assert response.status_code == 200 and "satisfaction" in response.context["rating_form"].errors
    case.refresh_from_db()
    assert case.status == Status.CLOSED


def test_an_unknown_code_is_a_friendly_404_and_guessing_is_throttled(cw, en, monkeypatch):
    response = en.get(reverse("public:track") + "?code=abcd-2345-ef")
    assert response.url == reverse("public:track-detail", args=["ABCD2345EF"])
    response = en.get(response.url)
    assert response.status_code == 404 and "No report has this tracking code" in response.content.decode()
    monkeypatch.setattr(report_views, "TRACK_MISSES_PER_HOUR", 3)
    case = closed_case(cw)
    for guess in ("ZZZZ2222ZZ", "YYYY3333YY"):
        assert en.get(reverse("public:track-detail", args=[guess])).status_code == 404
    # Three misses this hour: even a right code waits now.
    response = en.get(reverse("public:track-detail", args=[case.tracking_code]))
    assert response.status_code == 429 and "Too many look-ups" in response.content.decode()


def test_the_code_form_checks_the_shape(cw, en):
    response = en.get(reverse("public:track"), {"code": "??"})
    assert response.status_code == 200 and "10 letters and digits" in response.content.decode()


# --- My reports -----------------------------------------------------------------------------------
def test_my_reports_lists_only_my_own_cases_newest_first(cw, en):
    mine_old = actions.report_case(actor=cw.users["resident_a"], source=Source.RESIDENT, category=cw.litter,
                                   description="第一条", longitude=116.405, latitude=39.905)[0]
    mine_new = actions.report_case(actor=cw.users["resident_a"], source=Source.RESIDENT, category=cw.litter,
                                   description="第二条", longitude=116.405, latitude=39.905)[0]
    neighbour = make_user("resident_a2", Role.RESIDENT_USER, [cw.community_a])
    theirs = actions.report_case(actor=neighbour, source=Source.RESIDENT, category=cw.litter,
                                 description="邻居的事", longitude=116.405, latitude=39.905)[0]
    en.force_login(cw.users["resident_a"])
    page = en.get(reverse("public:mine")).content.decode()
    assert page.index(mine_new.number) < page.index(mine_old.number)
    assert theirs.number not in page and "邻居的事" not in page
    # A resident follows their case on the tracking page.
    assert reverse("public:track-detail", args=[mine_new.tracking_code]) in page
    en.force_login(neighbour)
    page = en.get(reverse("public:mine")).content.decode()
    assert theirs.number in page and mine_new.number not in page
    # Nor can the neighbour rate, or see the confirmation of, someone else's case.
    assert en.post(reverse("public:mine"), {"case": mine_new.pk, "satisfaction": 5}).status_code == 404
    assert en.get(reverse("public:report-done", args=[mine_new.pk])).status_code == 404


def test_a_resident_rates_a_closed_case_in_my_reports(cw, en):
    case = closed_case(cw, actor=cw.users["resident_a"], reporter_name="", reporter_phone="")
    en.force_login(cw.users["resident_a"])
    page = en.get(reverse("public:mine")).content.decode()
    assert 'name="satisfaction"' in page and f'value="{case.pk}"' in page
    response = en.post(reverse("public:mine"), {"case": case.pk, "version": case.version, "satisfaction": 5,
                                                "note": "很满意"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.EVALUATED and case.satisfaction == 5
    assert case.events.get(action="evaluate").actor == cw.users["resident_a"]
    page = en.get(reverse("public:mine")).content.decode()
    assert "Thank you for rating" in page and 'name="satisfaction"' not in page


def test_a_grid_worker_links_to_the_case_page(cw, en, report):
    case = report()
    en.force_login(cw.users["worker_a"])
    page = en.get(reverse("public:mine")).content.decode()
    assert reverse("cases:detail", args=[case.pk]) in page


def test_the_navigation_and_home_page_offer_reporting(cw, client):
    client.force_login(cw.users["worker_a"])
    page = client.get(reverse("home")).content.decode()
    assert reverse("public:report") in page and reverse("public:mine") in page
    client.force_login(cw.users["staff_a"])
    page = client.get(reverse("home")).content.decode()
    assert reverse("public:report") in page and reverse("public:mine") not in page
    client.force_login(cw.users["resident_a"])
    page = client.get(reverse("home")).content.decode()
    assert reverse("public:report") in page and reverse("public:mine") in page
