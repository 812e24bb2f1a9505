"""MTN MoMo's section of the config file ([mtn])."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from pos_app.platform.config import ProviderSection


@dataclass(frozen=True)
class MtnConfig(ProviderSection):
    base_url_env: ClassVar[str] = "MTN_MOMO_BASE_URL"

    # empty currency: EUR in the sandbox, the country's currency in production
    target_environment: str = ""  # empty: "sandbox", or mtn<country> in production
