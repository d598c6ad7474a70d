"""flyteplane: the Flyte control plane and its client, without Kubernetes."""

__version__ = "0.1.0"
