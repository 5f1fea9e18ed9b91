"""Errors several layers raise and the command line reports as they are."""

from __future__ import annotations


class SettingsFileError(ValueError):
    """An admin's settings file cannot be used; the message says where and how to fix it."""
