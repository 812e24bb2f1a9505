"""PySide6 widgets and Qt models. No business logic here."""
