"""allauth's pages render inside the platform's layout, in English and French, and sign-up stays closed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.access.helpers import login_with_mfa

pytestmark = pytest.mark.django_db

ANONYMOUS_PAGES = ["account_login", "account_reset_password", "account_signup"]
SIGNED_IN_PAGES = ["account_email", "account_change_password", "mfa_index", "usersessions_list", "account_logout"]


@pytest.mark.parametrize("name", ANONYMOUS_PAGES)
def test_entrance_pages_use_the_platform_layout(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="site-header"' in body
    assert "account-layout--entrance" in body
    assert "sign up" not in body.lower()


def test_signup_is_closed(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "x@example.org", "password1": "A-long-pass-123", "password2": "A-long-pass-123"},
    )
    assert "Accounts are created by invitation" in response.content.decode()
    from accounts.models import User

    assert not User.objects.filter(email="x@example.org").exists()


@pytest.mark.parametrize("name", SIGNED_IN_PAGES)
def test_manage_pages_use_the_platform_layout(client, world, name):
    login_with_mfa(client, world.head_a)
    response = client.get(reverse(name))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="site-header"' in body
    assert "account-layout" in body


def test_totp_enrolment_page_shows_the_qr_code(client, world):
    from tests import factories as f

    client.post(reverse("account_login"), {"login": world.head_a.email, "password": f.PASSWORD})
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302  # allauth asks for the password again before any MFA change
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": f.PASSWORD})
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="account-qr" src="data:image/svg+xml;base64,' in body
    assert 'name="code"' in body


def test_login_page_in_french(client):
    response = client.get(reverse("account_login"), headers={"accept-language": "fr"})
    assert response.status_code == 200
    assert '<html lang="fr">' in response.content.decode()


def test_password_reset_sends_a_link_that_sets_a_new_password(client, world):
    import re

    from django.core import mail

    from tests import factories as f

    response = client.post(reverse("account_reset_password"), {"email": world.member_a.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://[^/]+(/accounts/password/reset/key/\S+)", mail.outbox[0].body).group(1)
    response = client.get(link)
    assert response.status_code == 302  # allauth moves the key into the session
    new_password = "Lanzarote-article-23-2024"
    response = client.post(response["Location"], {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    world.member_a.refresh_from_db()
    assert world.member_a.check_password(new_password)
    assert not world.member_a.check_password(f.PASSWORD)
    from accounts.models import AuditEvent

    assert AuditEvent.objects.filter(event_type="password.reset", actor=world.member_a).count() == 1


def test_password_reset_for_an_unknown_address_reveals_nothing(client, world):
    from django.core import mail

    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
    assert all("password/reset/key" not in message.body for message in mail.outbox)


def test_sessions_page_lists_sessions_and_signs_out_the_others(world):
    from django.test import Client

    from tests import factories as f

    office, laptop = Client(HTTP_USER_AGENT="Office browser"), Client(HTTP_USER_AGENT="Laptop browser")
    for client in (office, laptop):
        client.post(reverse("account_login"), {"login": world.member_a.email, "password": f.PASSWORD})
        client.get("/")  # usersessions records the session on a signed-in request
    page = office.get(reverse("usersessions_list"))
    body = page.content.decode()
    assert "Office browser" in body
    assert "Laptop browser" in body
    response = office.post(reverse("usersessions_list"))
    assert response.status_code == 302
    assert "_auth_user_id" in office.session
    assert laptop.get("/invitations/")["Location"].startswith(reverse("account_login"))


def test_language_switch_is_remembered_for_a_signed_in_person(client, world):
    client.force_login(world.member_a)
    assert world.member_a.preferred_language == "en"
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    world.member_a.refresh_from_db()
    assert world.member_a.preferred_language == "fr"
    assert '<html lang="fr">' in client.get("/").content.decode()
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    world.member_a.refresh_from_db()
    assert world.member_a.preferred_language == "fr"


def test_invitations_page_renders_in_a_constant_number_of_queries(client, world, django_assert_max_num_queries):
    from accounts.services.invitations import invitation_create
    from tests.access.helpers import login_with_mfa

    login_with_mfa(client, world.secretariat)
    for n in range(3):
        invitation_create(email=f"few{n}@fr.example", role="member", party=world.party_a, invited_by=world.secretariat)
    with django_assert_max_num_queries(20) as few:
        assert client.get(reverse("accounts:invitations")).status_code == 200
    for n in range(30):
        invitation_create(email=f"many{n}@de.example", role="head", party=world.party_b, invited_by=world.secretariat)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("accounts:invitations"))
    import re

    assert len(re.findall(r"many\d+@de\.example", response.content.decode())) == 30


def test_the_login_form_tabs_from_email_to_password_before_the_reset_link(client):
    """The "Forgot your password?" link comes after the password input (it sat between e-mail and password in the
    tab order), and the input's aria-describedby names the help text's real id."""
    html = client.get(reverse("account_login")).content.decode()
    form = html[html.index('<form class="account-form"') :]
    email, password, forgot = (form.index(s) for s in ('name="login"', 'name="password"', "Forgot your password?"))
    assert email < password < forgot
    assert 'aria-describedby="id_password_helptext"' in form
    assert '<div class="field__help" id="id_password_helptext">' in form
