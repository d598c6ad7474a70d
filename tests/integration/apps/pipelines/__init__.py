"""A small flytekit project that the integration tests register: tasks, a conditional, a subworkflow, a map task
and launch plans (one with a cron schedule and a kickoff-time input)."""
