"""Frozen data models, events and errors shared by every layer (standard library only)."""
