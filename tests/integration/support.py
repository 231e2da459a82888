"""Helpers of the integration suite: the target, a product factory, polling, checkout."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import boto3

from woocom.local.client import HttpClient, HttpResponse
from woocom.local.emulator import emulator_client

# The simulated payment provider fails these addresses (storefront.payments).
UNAVAILABLE_EMAIL = "it+unavailable@example.com"


@dataclass
class Target:
    name: str
    outputs: dict[str, Any]
    admin_token: str | None = None
    user_token: str | None = None
    # Known only when the suite configured the stack itself (local).
    order_max_age_minutes: int | None = None
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:8].upper())

    def client(self, token: str | None = None) -> HttpClient:
        return HttpClient(self.outputs["api_url"], token)

    def aws(self, service: str) -> Any:
        endpoint = self.outputs.get("aws_endpoint_url")
        if endpoint:
            return emulator_client(service, endpoint)
        session = boto3.session.Session(region_name=self.outputs.get("region"))
        return session.client(service)  # type: ignore[call-overload]


@dataclass
class Catalog:
    """Creates products with unique skus for one test and deletes them afterwards."""

    admin: HttpClient
    prefix: str
    created: list[str] = field(default_factory=list)

    def sku(self, name: str) -> str:
        return f"{self.prefix}-{name}".upper()

    def category(self, name: str) -> str:
        return f"{self.prefix}-{name}".lower()

    def add(
        self,
        name: str,
        *,
        stock: int = 10,
        price: str = "10.00",
        category: str = "misc",
        currency: str = "EUR",
    ) -> dict[str, Any]:
        sku = self.sku(name)
        body = {
            "name": f"Test product {name}",
            "description": "created by the integration suite",
            "category": self.category(category),
            "price": price,
            "currency": currency,
            "stock": stock,
        }
        response = self.admin.put(f"/products/{sku}", body)
        assert response.status in (200, 201), response
        self.created.append(sku)
        product: dict[str, Any] = response.json()
        return product

    def cleanup(self) -> None:
        for sku in self.created:
            self.admin.delete(f"/products/{sku}")


def place_order(api: HttpClient, email: str, lines: dict[str, int], **headers: str) -> HttpResponse:
    return api.post(
        "/orders",
        {"email": email, "items": [{"sku": sku, "quantity": q} for sku, q in lines.items()]},
        headers=headers,
    )
