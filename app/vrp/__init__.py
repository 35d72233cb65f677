"""Huawei VRP knowledge as pure functions: command catalog, parsers, name validation.

Nothing here performs I/O or imports anything but the standard library and `app.domain`.
"""
