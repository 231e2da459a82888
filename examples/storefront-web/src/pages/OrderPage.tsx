import { useEffect, useState } from "react";
import type { Order } from "../api";
import type { Client } from "../api/client";
import { Price } from "./Price";

const POLL_MS = 1000;
const SETTLED = new Set(["CONFIRMED", "FULFILLED", "CANCELLED", "EXPIRED"]);

/** Shows the order and polls it until the worker has moved it past PENDING. */
export function OrderPage({ api, orderId }: { api: Client; orderId: string }) {
  const [order, setOrder] = useState<Order | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let timer: number | undefined;
    let current = true;
    const poll = () => {
      api.get("/orders/{order_id}", { params: { order_id: orderId } }).then(
        (found) => {
          if (!current) return;
          setOrder(found);
          if (!SETTLED.has(found.status)) timer = window.setTimeout(poll, POLL_MS);
        },
        (reason: unknown) => current && setError(String(reason)),
      );
    };
    poll();
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [api, orderId]);

  if (error) return <p role="alert">The order could not be loaded: {error}</p>;
  if (!order) return <p role="status">Loading order…</p>;
  return (
    <section aria-labelledby="order-heading">
      <h1 id="order-heading">Order {order.order_id}</h1>
      <p role="status" aria-live="polite">
        Status: <strong>{order.status}</strong>
        {order.status === "PENDING" && " (waiting for confirmation…)"}
      </p>
      <ul aria-label="Order lines">
        {order.items.map((line) => (
          <li key={line.sku}>
            {line.quantity} × {line.sku} at <Price amount={line.unit_price} currency={order.currency} />
          </li>
        ))}
      </ul>
      <p>
        Total: <Price amount={order.total} currency={order.currency} />
      </p>
    </section>
  );
}
