"""The web view's language: English, or French from the catalogue, chosen by the `lang`
cookie (set by the link on every page), else by the browser's Accept-Language."""

from __future__ import annotations

from dataclasses import dataclass

from pos_app.hub.web.catalogue import FRENCH

LANGUAGES = ("en", "fr")
LANG_COOKIE = "lang"


def N_(text: str) -> str:
    """Marks an English text translated where it is shown (gettext's name for it; tests check
    that each one has its French)."""
    return text


@dataclass(frozen=True)
class Words:
    language: str

    def __call__(self, text: str) -> str:
        if self.language == "fr":
            return FRENCH.get(text, text)
        return text

    @property
    def locale(self) -> str:
        """For babel (amounts): the shop's own locale is the till's, not known at the hub."""
        return self.language

    @property
    def other(self) -> str:
        return "en" if self.language == "fr" else "fr"


def _accepted(header: str) -> list[tuple[float, int, str]]:
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(header.split(",")[:20]):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, position, tag.strip().lower().split("-")[0]))
    return sorted(ranked)


def choose(cookie: str | None, accept_language: str) -> Words:
    if cookie in LANGUAGES:
        return Words(cookie)
    for minus_quality, _, language in _accepted(accept_language):
        if language in LANGUAGES and minus_quality < 0:
            return Words(language)
    return Words("en")
