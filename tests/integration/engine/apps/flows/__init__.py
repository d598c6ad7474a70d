"""flytekit apps the engine integration tests register and run (fast-registered from this folder)."""
