"""Data access for clients: signed upload and download locations, and `flyte://` URLs."""
