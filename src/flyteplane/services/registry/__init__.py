"""The registry: projects, tasks, workflows, launch plans, named and description entities, matchable attributes."""
