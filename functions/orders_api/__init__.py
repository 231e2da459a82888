"""orders_api: checkout, order lookup and admin order management (API Gateway)."""
