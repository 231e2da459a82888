"""order_worker: confirms new orders through the payment provider (SQS)."""
