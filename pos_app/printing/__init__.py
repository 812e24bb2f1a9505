"""Receipts, refund slips and the day's report on paper: one layout, two renderers (ESC/POS
thermal printers and Qt's printers/PDF), and the printers themselves."""
