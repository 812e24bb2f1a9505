"""The owner's hub: receives the providers' callbacks and hands them to the owner's tills.

Installed with the `hub` extra (`pip install pos-app[hub]`): it needs PostgreSQL (psycopg 3).
The desktop bundle does not carry it.
"""
