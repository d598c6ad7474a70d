"""Helpers every service area shares: request checks, time conversions, engine wake-ups."""
