"""A thin client for the BA job search API (Jobbörse): search pages and job details.

Only the standard library is used. The transport is a plain function ``fetch(url, headers) -> bytes`` so that tests
(and offline imports) feed recorded JSON instead of calling the network. Base URL and API key come from the
settings ``EINBLICK_BA_BASE_URL`` and ``EINBLICK_BA_API_KEY``.
"""

import base64
from collections.abc import Callable
from dataclasses import dataclass
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urlencode
from urllib.request import Request, urlopen

from django.conf import settings

Fetch = Callable[[str, dict[str, str]], bytes]

TIMEOUT_SECONDS = 30
MAX_RESPONSE_BYTES = 20 * 1024 * 1024
APPRENTICESHIP = 4  # angebotsart: 4 = Ausbildung / duales Studium
PAGE_SIZE = 50
JOB_PAGE_URL = "https://www.arbeitsagentur.de/jobsuche/jobdetail/{ref}"


class FetchError(Exception):
    """The API could not be reached or answered with an error status."""


def fetch_url(url: str, headers: dict[str, str]) -> bytes:
    """GET ``url`` with ``headers`` and return the body (the default transport)."""
    request = Request(url, headers={"Accept": "application/json", **headers}, method="GET")
    try:
        with urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # the https base URL comes from settings
            body = response.read(MAX_RESPONSE_BYTES + 1)
    except HTTPError as error:
        raise FetchError(f"HTTP {error.code}") from error
    except (URLError, TimeoutError, OSError) as error:
        raise FetchError(str(getattr(error, "reason", error))[:200]) from error
    if len(body) > MAX_RESPONSE_BYTES:
        raise FetchError(f"response larger than {MAX_RESPONSE_BYTES} bytes")
    return body


def job_page_url(ref: str) -> str:
    """The public page of an offer in the BA job search."""
    return JOB_PAGE_URL.format(ref=quote(ref, safe=""))


@dataclass
class JobSearchClient:
    base_url: str
    api_key: str
    fetch: Fetch | None = None

    @classmethod
    def from_settings(cls, fetch: Fetch | None = None) -> "JobSearchClient":
        return cls(base_url=settings.EINBLICK_BA_BASE_URL, api_key=settings.EINBLICK_BA_API_KEY, fetch=fetch)

    @property
    def headers(self) -> dict[str, str]:
        return {"X-API-Key": self.api_key}

    def _get(self, path: str) -> bytes:
        # Looked up at call time so tests can replace the module's ``fetch_url``.
        fetch = self.fetch or fetch_url
        return fetch(f"{self.base_url.rstrip('/')}{path}", self.headers)

    def jobs_path(self, *, wo: str, umkreis: int, page: int = 1, size: int = PAGE_SIZE) -> str:
        query = {"angebotsart": APPRENTICESHIP, "wo": wo, "umkreis": umkreis, "page": page, "size": size}
        return f"/pc/v4/jobs?{urlencode(query)}"

    def jobs(self, *, wo: str, umkreis: int, page: int = 1, size: int = PAGE_SIZE) -> bytes:
        """One page of apprenticeship and dual-study offers around ``wo`` (raw JSON; see ``parse.parse_page``)."""
        return self._get(self.jobs_path(wo=wo, umkreis=umkreis, page=page, size=size))

    def job_details(self, ref: str) -> bytes:
        """Details of one offer; the API expects the reference number Base64-encoded in the path."""
        encoded = base64.b64encode(ref.encode()).decode()
        return self._get(f"/pc/v4/jobdetails/{quote(encoded, safe='')}")
