"""The till's side of the owner's hub: linking, telling it what the till awaits, and
fetching the providers' callbacks it relays (outbound connections only)."""
