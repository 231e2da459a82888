"""Operations: the CloudWatch metrics we alarm on, and the log tools (`nox -s logs`)."""
