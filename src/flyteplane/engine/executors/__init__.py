"""How a task attempt runs: the Executor interface and its implementations (local processes by default)."""
