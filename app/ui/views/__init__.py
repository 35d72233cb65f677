"""The per-router dashboard views and the all-routers overview."""
