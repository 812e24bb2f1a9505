"""The wiring: a till built from the config, the keyring and the provider registry."""
