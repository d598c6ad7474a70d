"""What an operator sees of a running flyteplane: Prometheus metrics, structured logs, and the doctor's checks."""
