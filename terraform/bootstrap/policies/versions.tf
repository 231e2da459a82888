terraform {
  # No provider: every document is a pure function of the inputs, so `nox -s iam`
  # renders exactly what the bootstrap applies without credentials or a mock.
  required_version = ">= 1.10"
}
