"""Orchestration of payments: persist before send, recovery, polling."""
