"""Running it: Prometheus metrics (:mod:`observability.metrics`) and JSON logs with a request id
(:mod:`observability.logs`)."""
