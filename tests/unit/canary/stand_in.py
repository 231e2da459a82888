"""What the render check tests serve: the products and a storefront the tests can break."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PRODUCTS = [
    {
        "sku": f"MUG-{n}",
        "name": f"Mug number {n}",
        "description": "A mug.",
        "category": "kitchen",
        "price": f"{n}.50",
        "currency": "EUR",
        "stock": 5,
    }
    for n in range(1, 4)
]


@dataclass
class Storefront:
    """What the stand-in serves; tests change it to break the site."""

    files: dict[str, bytes]
    config: dict[str, Any] = field(default_factory=lambda: {"environment": "test", "cognito": None})
    products_status: int = 200
    url: str = ""

    def break_file(self, suffix: str, change: Any) -> None:
        key = next(k for k in self.files if k.endswith(suffix) and k.startswith("assets/index-"))
        self.files[key] = change(self.files[key])
