"""The HTTP side of the server's one port: signed blob access, task logs and the HTTP/JSON gateway (`gateway/`)."""
