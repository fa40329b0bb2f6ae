"""The core of the content-ecosystem simulation: world, learning rule, policies, metrics."""
