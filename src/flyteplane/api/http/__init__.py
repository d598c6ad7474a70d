"""The HTTP side of the server's one port: signed blob access today, the REST gateway and console later."""
