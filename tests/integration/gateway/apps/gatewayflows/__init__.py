"""flytekit apps the HTTP API tests register and run (fast-registered from this folder)."""
