"""Workflows the Ray executor tests run (registered from this folder, as `rayflows.<module>.<name>`)."""
