"""A simulator of the MTN MoMo and M-Pesa Daraja APIs (ASGI)."""
