"""Statistics for supervisors: clear columns only, small counts hidden, CSV too."""

import csv
import io

import pytest
from django.urls import reverse

from referrals import sealing

from .staff import sign_in, submit

pytestmark = pytest.mark.django_db

STATISTICS = reverse("staff:referrals_statistics")


def _professional(sector):
    from .journeys import PROFESSIONAL_ANSWERS

    return submit(
        {**PROFESSIONAL_ANSWERS, "work": {"sector": sector, "discussed_with_lead": "yes"}}
    )


def test_counts_come_from_clear_columns_and_small_ones_are_hidden(client, supervisor, monkeypatch):
    for _ in range(6):
        submit()  # High Peak, 16-17, member of the public
    submit(district="erewash")
    _professional("education")

    def no_opening(*args, **kwargs):
        raise AssertionError("statistics must not open any envelope")

    monkeypatch.setattr(sealing, "unseal", no_opening)
    sign_in(client, supervisor)
    html = client.get(STATISTICS).content.decode()

    assert '<th scope="row">High Peak</th>\n          <td>7</td>' in html
    assert '<th scope="row">Erewash</th>\n          <td>fewer than 5</td>' in html
    assert "childcare)</th>\n          <td>fewer than 5</td>" in html  # Education
    assert (
        '<th scope="row">Member of the public, family or friend</th>\n          <td>7</td>' in html
    )
    assert "Referrals received by month" in html and "Outcome of closed referrals" in html


def test_the_csv_holds_the_same_figures(client, supervisor):
    for _ in range(5):
        submit()
    submit(district="bolsover")
    sign_in(client, supervisor)

    response = client.get(STATISTICS, {"format": "csv"})

    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["table", "category", "referrals"]
    assert ["Area", "High Peak", "5"] in rows
    assert ["Area", "Bolsover", "fewer than 5"] in rows


@pytest.mark.parametrize("who", ["officer", "account_admin"])
def test_only_supervisors_see_statistics(client, request, who):
    sign_in(client, request.getfixturevalue(who))

    assert client.get(STATISTICS).status_code == 403
