"""Workflows and launch plans the scheduler and backfill integration tests register."""
