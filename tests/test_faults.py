"""When the database fails: a clear page, nothing half-stored, the answers still there."""

import pytest
from django.db import InternalError, OperationalError
from django.urls import reverse

from referrals import services
from referrals.models import JourneyDraft, Referral

from .journeys import PUBLIC_ANSWERS, walk

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "failure",
    [
        OperationalError("server closed the connection unexpectedly"),
        OperationalError("could not extend file: No space left on device"),
        InternalError("cannot execute INSERT in a read-only transaction"),
    ],
    ids=["connection lost", "disk full", "read-only"],
)
def test_a_send_the_database_refuses_is_not_sent_and_can_be_sent_again(
    client, monkeypatch, failure
):
    walk(client, PUBLIC_ANSWERS)
    real_submit = services.submit_referral

    def failing(**kwargs):
        raise failure

    monkeypatch.setattr(services, "submit_referral", failing)
    response = client.post(reverse("referrals:check"))

    html = response.content.decode()
    assert response.status_code == 503 and response["Retry-After"] == "10"
    assert "Your referral has <strong>not</strong> been sent" in html
    assert "999" in html and "Traceback" not in html
    assert not Referral.objects.exists() and JourneyDraft.objects.count() == 1

    monkeypatch.setattr(services, "submit_referral", real_submit)  # the database is back
    again = client.post(reverse("referrals:check"), follow=True)
    assert "Referral sent" in again.content.decode()
    assert Referral.objects.count() == 1


def test_any_page_the_database_fails_under_gets_the_calm_page(client, monkeypatch):
    from referrals import journey_state

    def down(request, **options):
        raise OperationalError("connection refused")

    monkeypatch.setattr(journey_state, "load", down)

    response = client.get(reverse("referrals:step", kwargs={"slug": "safety"}))

    assert response.status_code == 503
    assert "Sorry, the service is having a problem" in response.content.decode()
    assert "0800 789 321" in response.content.decode()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "path",
    ["/", "/staff/", "/staff/referrals/referral/", "/share-a-concern/"],
    ids=["home", "staff home", "queue", "public journey"],
)
def test_a_staff_session_meets_the_calm_page_while_the_database_is_down(
    client, officer, caplog, path
):
    """The staff session is loaded by middleware before any view runs; the page must still be
    the calm 503, and the log one warning, not a traceback per request."""
    from django.db import connection
    from django.test import Client

    from .servers import free_port
    from .staff import sign_in

    sign_in(client, officer)
    assert client.get("/staff/").status_code == 200
    # As a browser meets it: Django's test client would re-raise what the site handled.
    browser = Client(raise_request_exception=False)
    browser.cookies = client.cookies
    real_port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = str(free_port())  # nothing listens: the database is down
    try:
        with caplog.at_level("WARNING"):
            response = browser.get(path)
    finally:
        connection.settings_dict["PORT"] = real_port

    html = response.content.decode()
    assert response.status_code == 503 and response["Retry-After"] == "10"
    assert "having a problem" in html and "Traceback" not in html
    if path.startswith("/staff/"):
        assert "Safer Derbyshire: Prevent triage" in html  # the staff chrome
        assert "0800 789 321" not in html
    else:
        assert "0800 789 321" in html  # the public page keeps the urgent routes
    assert not [record for record in caplog.records if record.exc_info]
    assert any("Database unavailable" in record.getMessage() for record in caplog.records)
    assert browser.get("/staff/").status_code == 200  # back, still signed in


# Outside a test transaction: the retry opens a new connection, as in production.
@pytest.mark.django_db(transaction=True)
def test_a_send_press_rides_out_a_switchover_while_its_answers_are_read(client, monkeypatch):
    """The press reads the answers before it sends: a connection the switchover dropped there
    is tried again too, so the reporter sees a slower send, not "not sent"."""
    from referrals import intake_store

    walk(client, PUBLIC_ANSWERS)
    real_read = intake_store.read_draft
    dropped = iter([OperationalError("terminating connection due to administrator command")])

    def read_across_a_switchover(draft_id):
        error = next(dropped, None)
        if error is not None:
            raise error
        return real_read(draft_id)

    monkeypatch.setattr(intake_store, "read_draft", read_across_a_switchover)

    response = client.post(reverse("referrals:check"), follow=True)

    assert "Referral sent" in response.content.decode()
    assert Referral.objects.count() == 1
