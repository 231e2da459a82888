"""Checks on the CI/CD definitions themselves (.github/workflows, locks, runners)."""
