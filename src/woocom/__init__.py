"""WooCom platform tooling: everything nox sessions call lives in this package."""
