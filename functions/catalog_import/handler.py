"""placeholder"""


def handle(event: object, context: object) -> None:
    raise NotImplementedError
