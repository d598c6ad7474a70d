"""The three event kinds the engine reports progress with, and the phase rules they share."""
