"""Logging in and out, and the language link."""

from __future__ import annotations

import math
import secrets
from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from pos_app.hub.bodies import TooLarge
from pos_app.hub.web import passwords, sessions
from pos_app.hub.web.site import (
    HEADERS,
    REFUSED_FORM,
    Site,
    Visit,
    language,
    local_path,
    read_form,
    same_origin,
)
from pos_app.hub.web.words import LANG_COOKIE, LANGUAGES, N_

WRONG = N_("Wrong password.")
LOCKED = N_("Too many wrong passwords: the login is locked. Try again in {minutes} minutes.")
NO_PASSWORD = N_(
    "No owner password is set yet: run `pos-app hub owner-password` on the hub's machine."
)
YEAR = 365 * 24 * 3600


class LoginPages:
    def __init__(self, site: Site) -> None:
        self.site = site

    def routes(self) -> list[Route]:
        return [
            Route("/login", self.form, methods=["GET"]),
            Route("/login", self.login, methods=["POST"]),
            Route("/logout", self.site.owner_only(self.logout), methods=["POST"]),
            Route("/lang", self.language, methods=["GET"]),
        ]

    def _form(
        self,
        request: Request,
        *,
        status: int = 200,
        message: str = "",
        minutes: int = 0,
        next_path: str | None = None,
    ) -> HTMLResponse:
        token = request.cookies.get(sessions.LOGIN_COOKIE) or secrets.token_urlsafe(32)
        response = self.site.render(
            request,
            language(request),
            "login.html",
            status=status,
            login_token=token,
            next=local_path(next_path or request.query_params.get("next", "/")),
            message=message,
            minutes=minutes,
            # A Secure cookie over plain http to another machine is never sent back: say so.
            plain_http=request.url.scheme == "http" and sessions.secure(request),
        )
        response.headers.append(
            "set-cookie", sessions.cookie(request, sessions.LOGIN_COOKIE, token, max_age=3600)
        )
        return response

    async def form(self, request: Request) -> Response:
        async with self.site.pool.connection() as conn:
            session = await sessions.find(conn, request.cookies.get(sessions.COOKIE))
        if session is not None:
            target = local_path(request.query_params.get("next", "/"))
            return RedirectResponse(target, 303, headers=HEADERS)
        return self._form(request)

    async def login(self, request: Request) -> Response:
        try:
            form = await read_form(request)
        except TooLarge:
            return self._form(request, status=413)
        # Before any session, the form's token is checked against its own cookie.
        expected = request.cookies.get(sessions.LOGIN_COOKIE, "")
        if not same_origin(request) or not sessions.same_token(expected, form.get("csrf")):
            return self._form(request, status=403, message=REFUSED_FORM, next_path=form.get("next"))
        async with self.site.pool.connection() as conn:
            tried = await passwords.attempt(conn, form.get("password", ""))
            if not tried.ok:
                return self._refused(request, tried, form.get("next"))
            token, _ = await sessions.start(conn)
        response = RedirectResponse(local_path(form.get("next", "/")), 303, headers=HEADERS)
        response.headers.append("set-cookie", sessions.session_cookie(request, token))
        response.headers.append("set-cookie", sessions.cleared(request, sessions.LOGIN_COOKIE))
        return response

    def _refused(
        self, request: Request, tried: passwords.Attempt, next_path: str | None
    ) -> HTMLResponse:
        if tried.no_password:
            return self._form(request, status=401, message=NO_PASSWORD, next_path=next_path)
        if tried.locked_until is not None:
            left = (tried.locked_until - datetime.now(UTC)).total_seconds()
            minutes = max(1, math.ceil(left / 60))
            return self._form(
                request, status=429, message=LOCKED, minutes=minutes, next_path=next_path
            )
        return self._form(request, status=401, message=WRONG, next_path=next_path)

    async def logout(self, visit: Visit) -> Response:
        async with self.site.pool.connection() as conn:
            await sessions.end(conn, visit.session)
        response = RedirectResponse("/login", 303, headers=HEADERS)
        response.headers.append("set-cookie", sessions.cleared(visit.request, sessions.COOKIE))
        return response

    async def language(self, request: Request) -> Response:
        chosen = request.query_params.get("to", "")
        target = local_path(request.query_params.get("next", "/"))
        response = RedirectResponse(target, 303, headers=HEADERS)
        if chosen in LANGUAGES:
            response.headers.append(
                "set-cookie", sessions.cookie(request, LANG_COOKIE, chosen, max_age=YEAR)
            )
        return response
