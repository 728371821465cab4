"""The form's fixed answers: one definition, statistics age bands at their boundaries."""

import pytest

from referrals.choices import AgeBand, District, age_band


@pytest.mark.parametrize(
    ("age", "band"),
    [
        (None, AgeBand.NOT_KNOWN),
        (-1, AgeBand.NOT_KNOWN),
        (0, AgeBand.UNDER_11),
        (10, AgeBand.UNDER_11),
        (11, AgeBand.AGE_11_15),
        (15, AgeBand.AGE_11_15),
        (16, AgeBand.AGE_16_17),
        (17, AgeBand.AGE_16_17),
        (18, AgeBand.AGE_18_20),
        (60, AgeBand.AGE_51_60),
        (61, AgeBand.AGE_61_PLUS),
        (104, AgeBand.AGE_61_PLUS),
    ],
)
def test_age_band_boundaries(age, band):
    assert age_band(age) == band


def test_every_derbyshire_district_derby_and_the_unknowns_are_offered():
    labels = set(District.labels)

    assert {
        "Amber Valley",
        "Bolsover",
        "Chesterfield",
        "Derbyshire Dales",
        "Erewash",
        "High Peak",
        "North East Derbyshire",
        "South Derbyshire",
        "Derby city",
        "Outside Derbyshire",
        "I do not know",
    } == labels
