"""What the app needs from the operating system: per-user folders and owner-only files.

Used by the engine, the transport and the simulator alike, so it imports none of them (only
the standard library and platformdirs).
"""
