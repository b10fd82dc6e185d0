"""Account e-mails (sign-up confirmation, password reset) are from Mocklane, not from whatever host
the request came in on: allauth names the site after the request's host ("127.0.0.1:8811") when
the sites framework is not installed, in the subject and in the text."""

from dataclasses import dataclass
from urllib.parse import urlparse

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings

SITE_NAME = "Mocklane"


@dataclass(frozen=True)
class Site:
    name: str
    domain: str


def current_site() -> Site:
    """What account e-mails call the site: its name, and the host people reach it at (SITE_URL)."""
    return Site(name=SITE_NAME, domain=urlparse(settings.SITE_URL).netloc)


class AccountAdapter(DefaultAccountAdapter):
    def format_email_subject(self, subject: str) -> str:
        return f"[{SITE_NAME}] {subject}"

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        super().send_mail(template_prefix, email, {**context, "current_site": current_site()})
