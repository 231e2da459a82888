"""Helpers of the integration suite: the target, a product factory, polling, checkout."""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass, field
from typing import Any

import boto3

from woocom.local.client import HttpClient, HttpResponse
from woocom.local.cognito import create_user, id_token, random_password
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


# Every user the suite creates in a deployed pool is named so; none of a person's.
SUITE_USER_PREFIX = "woocom-integration-"


@dataclass
class SuiteUsers:
    """The suite's own admin and shopper in a deployed non-production pool.

    Signed in through the stack's integration app client (ADMIN_USER_PASSWORD_AUTH, absent
    on production), with fixed names so a run that died before `delete` leaves users the
    next run reuses (new password) and removes.
    """

    cognito: Any
    user_pool_id: str
    client_id: str
    created: list[str] = field(default_factory=list)

    def token(self, role: str, groups: tuple[str, ...] = ()) -> str:
        """An ID token of the suite's `role` user, created (or reused) with `groups`."""
        username = f"{SUITE_USER_PREFIX}{role}"
        password = random_password()
        self.created.append(username)
        try:
            create_user(self.cognito, self.user_pool_id, username, password, groups)
        except self.cognito.exceptions.UsernameExistsException:
            self.cognito.admin_set_user_password(
                UserPoolId=self.user_pool_id, Username=username, Password=password, Permanent=True
            )
            for group in groups:
                self.cognito.admin_add_user_to_group(
                    UserPoolId=self.user_pool_id, Username=username, GroupName=group
                )
        return id_token(self.cognito, self.user_pool_id, self.client_id, username, password)

    def delete(self) -> None:
        for username in self.created:
            # Another run against this stack may have removed it first.
            with contextlib.suppress(self.cognito.exceptions.UserNotFoundException):
                self.cognito.admin_delete_user(UserPoolId=self.user_pool_id, Username=username)
        self.created.clear()


def place_order(api: HttpClient, email: str, lines: dict[str, int], **headers: str) -> HttpResponse:
    return api.post(
        "/orders",
        {"email": email, "items": [{"sku": sku, "quantity": q} for sku, q in lines.items()]},
        headers=headers,
    )
