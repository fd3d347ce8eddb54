"""A whole read operation: its plan, and its response made from what a backend fetched."""
