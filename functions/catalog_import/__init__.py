"""catalog_import: upserts products from CSV files dropped under imports/ (S3)."""
