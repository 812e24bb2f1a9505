"""Safaricom M-Pesa Daraja: STK Push (Lipa na M-Pesa Online), STK Query, Transaction Status,
Reversal."""
