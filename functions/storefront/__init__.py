"""The storefront domain shared by every function: models, DynamoDB repository, HTTP glue.

Packaged at the root of each function's zip next to the function's own package.
"""
