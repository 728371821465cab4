"""Every fixed list of answers the referral form offers, defined once.

Forms, the check-answers page, the queue's filters and the statistics all read these, so a
partnership can align the form with the current National Referral Form here alone. Stored
values (the left-hand side) must never change meaning once referrals use them.
"""

from django.db import models


class ReporterType(models.TextChoices):
    PUBLIC = "public", "A family member, friend or member of the public"
    PROFESSIONAL = "professional", "A professional, volunteer or someone reporting through work"


class Channel(models.TextChoices):
    """How a referral reached the team. Web referrals come through the public form; officers
    record the others (referrals/staff_intake)."""

    WEB = "web", "The online form"
    PHONE = "phone", "A phone call"
    EMAIL = "email", "An email"
    LETTER = "letter", "A letter or form by post"
    IN_PERSON = "in_person", "In person"
    AGENCY = "agency", "Another agency's system"


class Sector(models.TextChoices):
    # The sectors used in the official Prevent statistics.
    EDUCATION = "education", "Education (school, college, university, childcare)"
    POLICE = "police", "Police"
    LOCAL_AUTHORITY = "local_authority", "Local authority (council, social care)"
    HEALTH = "health", "Health (NHS, GP, mental health)"
    PRISON = "prison", "Prison"
    PROBATION = "probation", "Probation or youth justice"
    COMMUNITY = "community", "Community or faith organisation, charity"
    OTHER = "other", "Other"


class District(models.TextChoices):
    AMBER_VALLEY = "amber_valley", "Amber Valley"
    BOLSOVER = "bolsover", "Bolsover"
    CHESTERFIELD = "chesterfield", "Chesterfield"
    DERBYSHIRE_DALES = "derbyshire_dales", "Derbyshire Dales"
    EREWASH = "erewash", "Erewash"
    HIGH_PEAK = "high_peak", "High Peak"
    NORTH_EAST_DERBYSHIRE = "north_east_derbyshire", "North East Derbyshire"
    SOUTH_DERBYSHIRE = "south_derbyshire", "South Derbyshire"
    DERBY_CITY = "derby_city", "Derby city"
    OUTSIDE = "outside", "Outside Derbyshire"
    NOT_KNOWN = "not_known", "I do not know"


class Gender(models.TextChoices):
    MALE = "male", "Male"
    FEMALE = "female", "Female"
    OTHER = "other", "Another gender"
    NOT_KNOWN = "not_known", "I do not know"


class ConcernType(models.TextChoices):
    # The reporter's view only; the police decide the category. Based on the categories in
    # the official statistics since 2024/25.
    ISLAMIST = "islamist", "Islamist"
    EXTREME_RIGHT_WING = "extreme_right_wing", "Extreme right-wing"
    LEFT_WING = "left_wing", "Left-wing, anarchist or single-issue"
    MASS_VIOLENCE = (
        "mass_violence",
        "Fascination with extreme violence or mass-casualty attacks, including school shootings",
    )
    INCEL = "incel", "Incel or violence against women"
    MIXED = "mixed", "Mixed, unclear or changing ideas"
    NO_IDEOLOGY = "no_ideology", "No clear ideology, but other worries"
    NOT_SURE = "not_sure", "I am not sure"


# The queue's one-line summary needs the kinds of concern in a few words each.
CONCERN_TYPE_SHORT = {
    ConcernType.ISLAMIST: "Islamist",
    ConcernType.EXTREME_RIGHT_WING: "Extreme right-wing",
    ConcernType.LEFT_WING: "Left-wing or single-issue",
    ConcernType.MASS_VIOLENCE: "Mass violence",
    ConcernType.INCEL: "Incel",
    ConcernType.MIXED: "Mixed or unclear",
    ConcernType.NO_IDEOLOGY: "No clear ideology",
    ConcernType.NOT_SURE: "Reporter not sure",
}


class Vulnerability(models.TextChoices):
    MENTAL_HEALTH = "mental_health", "Mental health needs"
    NEURODIVERSITY = "neurodiversity", "Autism, ADHD or other neurodiversity"
    LEARNING = "learning", "Learning difficulty, special educational needs or disability"
    VICTIM = "victim", "Victim of crime, abuse or bullying"
    FAMILY = "family", "Family problems or domestic abuse"
    SUBSTANCES = "substances", "Drug or alcohol misuse"
    ISOLATION = "isolation", "Isolation or loneliness"
    NO_WORK_OR_EDUCATION = "no_work_or_education", "Not in work, education or training"
    MONEY_OR_HOUSING = "money_or_housing", "Money or housing problems"
    MISSING = "missing", "Going missing from home or care"
    CRIMINAL = "criminal", "Criminal activity or associations"
    OTHER = "other", "Something else"


class YesNoNotSure(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_SURE = "not_sure", "I am not sure"


class Priority(models.TextChoices):
    # Clear metadata the queue sorts on; set from the answers, never from free text.
    URGENT = "urgent", "Urgent"
    HIGH = "high", "High"
    ROUTINE = "routine", "Routine"


class AgeBand(models.TextChoices):
    # The bands of the official statistics.
    UNDER_11 = "0-10", "10 or under"
    AGE_11_15 = "11-15", "11 to 15"
    AGE_16_17 = "16-17", "16 to 17"
    AGE_18_20 = "18-20", "18 to 20"
    AGE_21_30 = "21-30", "21 to 30"
    AGE_31_40 = "31-40", "31 to 40"
    AGE_41_50 = "41-50", "41 to 50"
    AGE_51_60 = "51-60", "51 to 60"
    AGE_61_PLUS = "61+", "61 or over"
    NOT_KNOWN = "not_known", "Not known"


def age_band(age: int | None) -> AgeBand:
    """The statistics band for an age in years, or NOT_KNOWN."""
    if age is None or age < 0:
        return AgeBand.NOT_KNOWN
    for band, upper in (
        (AgeBand.UNDER_11, 10),
        (AgeBand.AGE_11_15, 15),
        (AgeBand.AGE_16_17, 17),
        (AgeBand.AGE_18_20, 20),
        (AgeBand.AGE_21_30, 30),
        (AgeBand.AGE_31_40, 40),
        (AgeBand.AGE_41_50, 50),
        (AgeBand.AGE_51_60, 60),
    ):
        if age <= upper:
            return band
    return AgeBand.AGE_61_PLUS
