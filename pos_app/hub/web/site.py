"""What every page of the owner's web view shares: the templates, the language, the login
and CSRF checks, and the headers that keep the pages out of other sites' frames and caches."""

from __future__ import annotations

import urllib.parse
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from psycopg_pool import AsyncConnectionPool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from pos_app.hub.bodies import TooLarge, limited_body
from pos_app.hub.web import sessions
from pos_app.hub.web.words import LANG_COOKIE, N_, Words, choose

FORM_LIMIT = 16 * 1024
REFUSED_FORM = N_(
    "This form is out of date or did not come from this hub: nothing was done. "
    "Open the page again and retry."
)
TOO_LARGE = N_("This form is too large: nothing was done.")
# No script at all: the pages work without one, so none is allowed to run.
HEADERS = {
    "content-security-policy": "default-src 'none'; style-src 'self'; img-src 'self';"
    " form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cache-control": "no-store",
}


@dataclass(frozen=True)
class Visit:
    """A request by the logged-in owner."""

    request: Request
    words: Words
    session: sessions.Session
    form: dict[str, str] = field(default_factory=dict)

    def arg(self, name: str) -> str:
        return self.request.query_params.get(name, "").strip()


Handler = Callable[[Visit], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]


def language(request: Request) -> Words:
    return choose(request.cookies.get(LANG_COOKIE), request.headers.get("accept-language", ""))


def local_path(target: str, default: str = "/") -> str:
    """Only a path of this site (never `//elsewhere`): a link cannot send the owner away."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def here(request: Request) -> str:
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def same_origin(request: Request) -> bool:
    """Whether a browser says the form came from a page of this site (belt and braces: the
    cookie is SameSite=Strict and the form's token is checked anyway). Sec-Fetch-Site is the
    browser's own verdict, so a reverse proxy that rewrites the Host header changes nothing;
    a client that is not a browser does not send it."""
    return request.headers.get("sec-fetch-site", "same-origin") in ("same-origin", "none")


async def read_form(request: Request) -> dict[str, str]:
    body = await limited_body(request, FORM_LIMIT)
    try:
        fields = urllib.parse.parse_qs(body.decode("utf-8", "replace"), max_num_fields=20)
    except ValueError:  # more fields than any form of these pages has
        raise TooLarge from None
    return {name: values[0] for name, values in fields.items()}


class Site:
    def __init__(self, pool: AsyncConnectionPool) -> None:
        self.pool = pool
        self.templates = Environment(
            loader=PackageLoader("pos_app.hub.web", "templates"),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def render(
        self,
        request: Request,
        words: Words,
        template: str,
        *,
        status: int = 200,
        session: sessions.Session | None = None,
        **context: Any,
    ) -> HTMLResponse:
        page = self.templates.get_template(template).render(
            _=words,
            lang=words.language,
            other_lang=words.other,
            here=here(request),
            csrf=session.csrf if session else None,
            **context,
        )
        return HTMLResponse(page, status_code=status, headers=HEADERS)

    def refused(self, visit: Visit, message: str, status: int = 403) -> HTMLResponse:
        """A page saying why nothing was done; `message` an English text of the catalogue."""
        return self.render(
            visit.request,
            visit.words,
            "refused.html",
            status=status,
            session=visit.session,
            message=message,
        )

    def owner_only(self, handler: Handler) -> Endpoint:
        """The page for a logged-in owner; anyone else is sent to the login. A POST must
        carry its session's CSRF token, or it is refused (403) before anything is done."""

        async def endpoint(request: Request) -> Response:
            words = language(request)
            async with self.pool.connection() as conn:
                session = await sessions.find(conn, request.cookies.get(sessions.COOKIE))
            if session is None:
                target = urllib.parse.quote(here(request) if request.method == "GET" else "/")
                return RedirectResponse(f"/login?next={target}", 303, headers=HEADERS)
            visit = Visit(request, words, session)
            if request.method == "POST":
                try:
                    visit = Visit(request, words, session, await read_form(request))
                except TooLarge:
                    return self.refused(visit, TOO_LARGE, 413)
                if not same_origin(request) or not sessions.same_token(
                    session.csrf, visit.form.get("csrf")
                ):
                    return self.refused(visit, REFUSED_FORM)
            return await handler(visit)

        return endpoint
