"""The only code that knows about speed: the pipeline, its memo and dependency records,
worker processes, and the atomic write."""
