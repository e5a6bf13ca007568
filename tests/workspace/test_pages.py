"""The staff workplace shell: login, throttling, pages in both languages, htmx search."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from borgerservice.catalogue.models import Department, Service

pytestmark = pytest.mark.django_db


def test_pages_require_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/log-ind/")
    response = client.get("/en/")
    assert response["Location"].startswith("/en/login/")


def test_login_and_logout(client, staff_user):
    response = client.post(
        "/log-ind/", {"username": "medarbejder", "password": "korrekt-hest-batteri"}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    response = client.post("/log-ud/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_wrong_password_shows_error_summary(client, staff_user):
    response = client.post("/log-ind/", {"username": "medarbejder", "password": "forkert"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-module="error-summary"' in html
    assert "Der er et problem" in html


def test_login_is_throttled(client, staff_user):
    for _attempt in range(5):
        client.post("/log-ind/", {"username": "medarbejder", "password": "forkert"})
    response = client.post(
        "/log-ind/", {"username": "medarbejder", "password": "korrekt-hest-batteri"}
    )
    assert response.status_code == 429
    assert "For mange" in response.content.decode()
    assert client.get("/").status_code == 302


def page_urls():
    service = Service.objects.get(name_da="Folkeregister (flytteanmeldelser)")
    return [
        ("/", "Find en ydelse"),
        ("/?q=flytte", "Folkeregister (flytteanmeldelser)"),
        (f"/katalog/ydelse/{service.code}/", "Vejledning til medarbejderen"),
        ("/katalog/forvaltninger/", "Forvaltninger"),
        ("/katalog/forvaltning/kff/", "Niveau 2"),
        ("/katalog/forvaltning/2005-ksr/", "Københavns Skatter og Registre"),
        ("/katalog/centre/", "Borgerservice Amager"),
        ("/tilgaengelighed/", "Tilgængelighedserklæring"),
    ]


def test_pages_in_danish(staff_client):
    for url, text in page_urls():
        response = staff_client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert '<html lang="da"' in html
        assert text in html, (url, text)
        assert 'href="/tilgaengelighed/"' in html


def test_pages_in_english(staff_client):
    service = Service.objects.get(name_da="Folkeregister (flytteanmeldelser)")
    pages = [
        ("/en/", "Find a service"),
        ("/en/?q=moving", service.name_en),
        (f"/en/catalogue/service/{service.code}/", "Staff guidance"),
        ("/en/catalogue/departments/", "Departments"),
        ("/en/catalogue/department/kff/", "Level 2"),
        ("/en/catalogue/centres/", "Citizen Service Amager"),
        ("/en/accessibility/", "Accessibility statement"),
    ]
    for url, text in pages:
        response = staff_client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert '<html lang="en"' in html
        assert text in html, (url, text)


def test_language_switch_links_are_real(staff_client):
    html = staff_client.get("/katalog/forvaltninger/").content.decode()
    assert 'href="/en/catalogue/departments/"' in html
    html = staff_client.get("/en/catalogue/departments/").content.decode()
    assert 'href="/katalog/forvaltninger/"' in html


def test_htmx_search_returns_only_the_results(staff_client):
    response = staff_client.get(
        "/", {"q": "sundhedskort"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="search-results"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "Folkeregister (nyt sygesikringskort)" in html
    full = staff_client.get("/", {"q": "sundhedskort"}).content.decode()
    assert "<html" in full and "Folkeregister (nyt sygesikringskort)" in full


def test_bad_search_input_shows_error_summary(staff_client):
    response = staff_client.get("/", {"q": "x" * 300})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-module="error-summary"' in html
    assert 'href="#q"' in html
    response = staff_client.get("/", {"level": "9"})
    assert response.status_code == 400
    assert 'href="#level"' in response.content.decode()


def test_department_page_lists_services_by_level(staff_client):
    kff = Department.objects.get(slug="kff")
    html = staff_client.get(reverse("catalogue:department", args=["kff"])).content.decode()
    for service in Service.objects.filter(department=kff):
        assert service.name_da in html
    assert html.index("Niveau 1") < html.index("Niveau 2") < html.index("Niveau 3")


def test_unknown_service_is_404(staff_client):
    assert staff_client.get("/katalog/ydelse/findes-ikke/").status_code == 404


def test_catalogue_editor_can_use_the_admin(client, django_user_model):
    from django.contrib.auth.models import Group

    editor = django_user_model.objects.create_user(username="red", password="x", is_staff=True)
    editor.groups.add(Group.objects.get(name="catalogue_editor"))
    client.force_login(editor)
    assert client.get("/admin/catalogue/service/").status_code == 200
    service = Service.objects.first()
    assert client.get(f"/admin/catalogue/service/{service.pk}/change/").status_code == 200
    assert client.get("/admin/auth/user/").status_code == 403


def test_front_office_cannot_use_the_admin(staff_client):
    response = staff_client.get("/admin/")
    assert response.status_code == 302


def test_health(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_demo_users_only_with_demo(settings):
    from borgerservice.accounts.services import demo_staff_create
    from borgerservice.core.errors import ServiceError

    settings.DEMO = False
    with pytest.raises(ServiceError):
        demo_staff_create()
    settings.DEMO = True
    logins = demo_staff_create()
    assert {login.username for login in logins} == {
        "frontoffice",
        "specialist",
        "teamlead",
        "analyst",
        "redaktor",
        "auditor",
        "admin",
    }
    with translation.override("da"):
        pass


def test_not_found_page_in_both_languages(staff_client):
    response = staff_client.get("/katalog/ydelse/findes-ikke/")
    html = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="da"' in html and "Siden blev ikke fundet" in html
    assert "dkfds-borgerdk" in html
    response = staff_client.get("/en/catalogue/service/does-not-exist/")
    html = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="en"' in html and "Page not found" in html


def test_htmx_search_errors_are_swapped_in(staff_client):
    response = staff_client.get(
        "/", {"q": "x" * 300}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="search-results"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-module="error-summary"' in html and "<html" not in html
    assert 'hx-swap-oob="true"' in html


def test_pasted_text_with_line_breaks_is_searched(staff_client):
    response = staff_client.get("/", {"q": "sundhedskort\n\t"})
    assert response.status_code == 200
    assert "Folkeregister (nyt sygesikringskort)" in response.content.decode()


def test_expired_session_during_htmx_search_redirects_the_browser(client):
    response = client.get(
        "/", {"q": "pas"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="search-results"
    )
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/log-ind/")


def test_staff_pages_are_private_and_allow_head(staff_client):
    response = staff_client.get("/katalog/forvaltninger/")
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert "HX-Request" in response["Vary"]
    assert staff_client.head("/katalog/forvaltninger/").status_code == 200


def test_nul_bytes_are_a_bad_request_everywhere(client, django_user_model):
    editor = django_user_model.objects.create_user(
        username="red", password="x", is_staff=True, is_superuser=True
    )
    client.force_login(editor)
    assert client.get("/admin/catalogue/department/", {"kind__exact": "\x00"}).status_code == 400
    assert client.get("/", {"q": "\x00"}).status_code == 400
    response = client.get("/api/v1/services", {"department": "\x00"})
    assert response.status_code == 400 and response.json()["code"] == "request.invalid"
