"""Executions: launch, lookups, data, metrics, signals, and the node and task executions under them."""
