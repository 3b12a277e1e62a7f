"""Failed logins are throttled per account and per client, and the right password works again
once the cool-off has passed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def throttled(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = 1 / 60  # one minute, in hours


def post_login(client, username: str, password: str, ip: str = "10.1.2.3"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_twenty_wrong_passwords_lock_the_account_and_the_right_one_works_after_the_window(
    client, user, throttled
):
    from axes.models import AccessAttempt

    answers = [post_login(client, user.username, "wrong").status_code for _ in range(20)]
    assert answers[:4] == [200] * 4  # the login form again, with its error
    assert set(answers[5:]) == {429}  # locked: refused without checking the password
    locked = post_login(client, user.username, PASSWORD)
    assert locked.status_code == 429 and 'id="locked-out"' in locked.content.decode()
    # another client address is still refused for this username
    assert post_login(client, user.username, PASSWORD, ip="10.9.9.9").status_code == 429
    AccessAttempt.objects.update(attempt_time="2000-01-01T00:00:00Z")  # the window has passed
    response = post_login(client, user.username, PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse(
        "transcripts:project_list"
    )


def test_one_client_guessing_many_usernames_is_locked_out(client, user, throttled):
    for number in range(6):
        post_login(client, f"nobody{number}", "guess", ip="10.4.4.4")
    assert post_login(client, user.username, PASSWORD, ip="10.4.4.4").status_code == 429
    assert post_login(client, user.username, PASSWORD, ip="10.5.5.5").status_code == 302


def test_a_member_changes_their_own_password(client, user):
    client.force_login(user)
    page = client.get(reverse("password_change"))
    assert page.status_code == 200 and "Change your password" in page.content.decode()
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-pass-42",
            "new_password2": "a-new-long-pass-42",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-new-long-pass-42")


def test_a_forgotten_password_is_reset_through_the_mail_backend(client, user, mailoutbox):
    import re

    user.email = "analyst@example.org"
    user.save()
    client.post(reverse("password_reset"), {"email": "analyst@example.org"})
    (message,) = mailoutbox
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", message.body).group(1)
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "another-pass-77", "new_password2": "another-pass-77"},
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("another-pass-77")


def test_a_session_ends_after_the_idle_time_and_activity_extends_it(client, user):
    import datetime

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client.force_login(user)
    assert client.get(reverse("transcripts:project_list")).status_code == 200
    session = Session.objects.get()
    store = client.session
    store["_refreshed"] = 0  # last refreshed long ago: the next request refreshes it
    store.save()
    Session.objects.update(expire_date=timezone.now() + datetime.timedelta(minutes=1))
    assert client.get(reverse("transcripts:project_list")).status_code == 200
    extended = Session.objects.get(pk=session.pk).expire_date - timezone.now()
    assert extended > datetime.timedelta(hours=7)  # pushed forward to the idle limit (8 h)
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(reverse("transcripts:project_list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
