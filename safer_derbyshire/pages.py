"""The guidance pages, as data: one row per page gives its address, title and template.

Adding a page means adding a row and a template; urls.py and the tests read this list.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    slug: str  # "" is the home page
    title: str
    template: str
    in_footer: bool = False

    @property
    def url_name(self) -> str:
        return self.slug or "home"


GUIDANCE = (
    Page("", "Worried someone is being drawn into terrorism?", "guidance/home.html"),
    Page("radicalisation", "What radicalisation is", "guidance/radicalisation.html"),
    Page("prevent", "The Prevent strategy", "guidance/prevent.html"),
    Page("prevent-duty", "The Prevent duty for organisations", "guidance/prevent_duty.html"),
    Page("signs", "What to look out for", "guidance/signs.html"),
    Page("how-to-report", "How to report a concern", "guidance/how_to_report.html"),
    Page(
        "online-material",
        "Report terrorist or extremist material online",
        "guidance/online_material.html",
    ),
)

LEGAL = (
    Page("privacy", "Privacy notice", "guidance/privacy.html", in_footer=True),
    Page("accessibility", "Accessibility statement", "guidance/accessibility.html", in_footer=True),
    Page("cookies", "Cookies", "guidance/cookies.html", in_footer=True),
    Page("contact", "Contact us", "guidance/contact.html", in_footer=True),
)

PAGES = GUIDANCE + LEGAL
