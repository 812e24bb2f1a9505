"""Read-models for people: the day report, the payment records and their output."""
