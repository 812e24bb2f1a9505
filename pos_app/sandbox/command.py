"""`pos-app sandbox`: every installed provider's simulator over HTTP, for trials and tests."""

from __future__ import annotations

import sys

from pos_app.providers import registry
from pos_app.sandbox.app import create_app
from pos_app.sandbox.server import serve
from pos_app.sandbox.simulators import AIRTEL_CALLBACK_ENV, Simulator, simulator


def serve_sandbox(host: str, port: int, approval_delay: float) -> int:
    url = f"http://{host}:{port}"
    made: dict[str, Simulator] = {}
    lines = []
    for spec in registry.specs():
        found = simulator(spec.id)
        if found is None:
            continue
        try:
            made[spec.id] = found.standalone(approval_delay)
        except ValueError as exc:  # a setting from the environment
            print(f"pos-app sandbox: {exc}", file=sys.stderr)
            return 2
        variable = spec.config.base_url_env
        words = [f"{variable}={url}"] if variable else []
        words += [f"{name.env_var}={value}" for name, value in found.secrets.items()]
        lines.append("  " + " ".join(words))
    names = " and ".join(registry.name(provider) for provider in made)
    print(f"pos-app sandbox: {names} simulator on {url} (Ctrl-C to stop)")
    print("Point pos-app at it with these public demo credentials:")
    print("\n".join(lines))
    print(
        "Callbacks go where each request says (http:// and local URLs too); Airtel's to "
        f"${AIRTEL_CALLBACK_ENV} when set.",
        flush=True,
    )
    try:
        serve(create_app(others=made), host, port)
    except OSError as exc:
        print(f"pos-app sandbox: cannot listen on {url} ({exc.strerror})", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    return 0
