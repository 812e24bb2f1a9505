"""`pos-app` on the command line: the entry point and one module per command group."""
