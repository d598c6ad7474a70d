"""One handler per node kind (the table in `table.py`); each advances a node by one step and reports through events."""

__all__: list[str] = []
