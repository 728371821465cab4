"""The phone numbers and web routes the guidance pages give, kept in one place.

Templates read these through the `service` context processor; never retype a number.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Contact:
    name: str
    number: str
    when: str

    @property
    def tel(self) -> str:
        return "tel:" + self.number.replace(" ", "")


EMERGENCY = Contact("Police emergency", "999", "If someone is in immediate danger")
POLICE_NON_EMERGENCY = Contact("Derbyshire Police", "101", "For concerns that are not urgent")
ANTI_TERRORIST_HOTLINE = Contact(
    "Anti-terrorist hotline", "0800 789 321", "Confidential, to report suspicious activity"
)
ACT_EARLY = Contact(
    "ACT Early support line", "0800 011 3764", "Advice if you are worried, 9am to 5pm every day"
)
DERBYSHIRE_PREVENT_TEAM = Contact(
    "Derbyshire Police Prevent team", "0300 122 8694", "For professionals with a Prevent query"
)
STARTING_POINT = Contact(
    "Starting Point (Derbyshire children's services)", "01629 533190", "24 hours a day"
)


def children_services(district: str) -> str:
    """Who takes a child safeguarding referral for the person's area, in words for the
    confirmation page: Starting Point covers the county; Derby city has its own service."""
    if district == "derby_city":
        return "Derby City Council's children's services"
    if district == "outside":
        return "the children's services of the council where they live"
    return "Starting Point"


CRIMESTOPPERS = Contact("Crimestoppers", "0800 555 111", "To report anonymously")
TEXTPHONE = Contact("Textphone", "18001 101", "If you are deaf or hard of hearing")

REPORT_ONLINE_MATERIAL_URL = "https://www.gov.uk/report-terrorism"
ACT_EARLY_URL = "https://actearly.uk"
EXIT_PAGE_URL = "https://www.bbc.co.uk/weather"


def as_context() -> dict:
    return {
        "emergency": EMERGENCY,
        "police_101": POLICE_NON_EMERGENCY,
        "hotline": ANTI_TERRORIST_HOTLINE,
        "act_early": ACT_EARLY,
        "prevent_team": DERBYSHIRE_PREVENT_TEAM,
        "starting_point": STARTING_POINT,
        "crimestoppers": CRIMESTOPPERS,
        "textphone": TEXTPHONE,
        "report_online_url": REPORT_ONLINE_MATERIAL_URL,
        "act_early_url": ACT_EARLY_URL,
    }
