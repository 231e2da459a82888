"""The one exception the publisher raises for anything a user must fix."""

from __future__ import annotations


class PublishError(Exception):
    """A clear, actionable reason the publish stopped; printed as is, exit code 1."""
