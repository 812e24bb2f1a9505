"""Configuration, secrets, paths and logs: the services of the computer the till runs on."""
