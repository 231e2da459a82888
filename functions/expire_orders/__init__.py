"""expire_orders: expires stale PENDING orders and re-drives unconfirmed ones (schedule)."""
