"""catalog_api: public catalog browsing and admin product management (API Gateway)."""
