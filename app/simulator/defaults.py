"""Documented defaults of the simulator, importable without asyncssh (the CLI's --help)."""

from __future__ import annotations

HOST = "127.0.0.1"
PORT = 2222
USERNAME = "admin"
PASSWORD = "Admin@123"
HOSTNAME = "NE8000"
SUBSCRIBERS = 25000
INTERFACES = 48
# VRP's default `user-interface maximum-vty`.
MAX_VTY = 5
# VRP's default `idle-timeout 10 0`: an idle VTY is closed after ten minutes.
IDLE_TIMEOUT_MINUTES = 10.0
