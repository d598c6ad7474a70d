"""How a task attempt runs: the Executor interface and its implementations (local processes by default)."""

__all__: list[str] = []
