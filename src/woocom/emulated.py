"""The account every emulator (moto, LocalStack) and every offline check pretends to be in.

One home for the region and the dummy credentials: the local runtime, the LocalStack
target, event factories and the packaging import check all read them from here.
"""

from __future__ import annotations

REGION = "us-east-1"
# Emulators accept any credentials; fixed dummy values keep a real profile from ever being used.
DUMMY_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def dummy_credentials_environment() -> dict[str, str]:
    """The dummy credentials and the region as the environment variables boto3 reads."""
    return {
        "AWS_ACCESS_KEY_ID": DUMMY_CREDENTIALS["aws_access_key_id"],
        "AWS_SECRET_ACCESS_KEY": DUMMY_CREDENTIALS["aws_secret_access_key"],
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
    }
