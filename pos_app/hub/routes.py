"""The callback routes the hub serves: every provider's, from the registry."""

from __future__ import annotations

from dataclasses import dataclass

from pos_app.providers import registry
from pos_app.providers.callbacks import CallbackRoute


@dataclass(frozen=True)
class HubRoute:
    provider: str  # the spec's id, as the till stores it with each payment
    route: CallbackRoute


def hub_routes() -> dict[str, HubRoute]:
    """Every provider's callback routes, by path."""
    return {
        route.path: HubRoute(spec.id, route)
        for spec in registry.specs()
        for route in spec.callbacks
    }


def callback_url(public_url: str, path: str, secret: str) -> str:
    """Where the provider posts; a per-request route takes the request id after it."""
    return f"{public_url.rstrip('/')}/callbacks/{path}/{secret}"
