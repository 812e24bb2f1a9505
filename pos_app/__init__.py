"""pos-app: a desktop point of sale for mobile-money payments."""

import sys

# The one place for the version: pyproject.toml reads it from here. Asking the installed
# package's metadata instead cost every start 50 ms (importlib.metadata and the email parser).
__version__ = "0.1.0"

# httpx imports its command-line client (click, rich and pygments: about 90 ms) whenever those
# are installed, as they are beside the checks' tools; pos-app never uses it. A None entry
# makes that import fail as it does where they are absent, and httpx then skips it.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
