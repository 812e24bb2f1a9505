"""Pure domain model: no I/O, no imports from the other layers."""
