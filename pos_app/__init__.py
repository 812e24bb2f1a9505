"""pos-app: a desktop point of sale for mobile-money payments."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("pos-app")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
