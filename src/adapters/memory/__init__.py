"""In-process adapters of the ports: the embedded mode and the fast tests use them."""
