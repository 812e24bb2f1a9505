"""Airtel Money (Airtel Africa\x27s Open API): Collections by USSD push, asked about by polling."""
