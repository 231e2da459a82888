import { useState } from "react";
import { ApiError } from "../api";
import type { Client } from "../api/client";
import { cartTotal, type CartLine } from "../cart";
import { navigate } from "../router";
import { Price } from "./Price";

interface Props {
  api: Client;
  cart: CartLine[];
  setCart: (lines: CartLine[]) => void;
}

export function CartPage({ api, cart, setCart }: Props) {
  const [email, setEmail] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // One key per checkout attempt: a retried POST (double click, network retry) returns
  // the first order instead of placing a second one.
  const [idempotencyKey] = useState(() => crypto.randomUUID());

  if (cart.length === 0) return <p role="status">Your cart is empty.</p>;
  const currency = cart[0].currency;

  const checkout = async () => {
    setBusy(true);
    setError(null);
    try {
      const order = await api.post("/orders", {
        body: { email, items: cart.map(({ sku, quantity }) => ({ sku, quantity })) },
        headers: { "Idempotency-Key": idempotencyKey },
      });
      setCart([]);
      navigate(`/orders/${encodeURIComponent(order.order_id)}`);
    } catch (reason) {
      setError(reason instanceof ApiError ? reason.message : String(reason));
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="cart-heading">
      <h1 id="cart-heading">Cart</h1>
      <table>
        <caption className="visually-hidden">Items in your cart</caption>
        <thead>
          <tr>
            <th scope="col">Product</th>
            <th scope="col">Quantity</th>
            <th scope="col">Unit price</th>
          </tr>
        </thead>
        <tbody>
          {cart.map((line) => (
            <tr key={line.sku}>
              <td>{line.name}</td>
              <td>{line.quantity}</td>
              <td>
                <Price amount={line.unit_price} currency={line.currency} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        Total: <Price amount={cartTotal(cart)} currency={currency} />
      </p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void checkout();
        }}
      >
        <label>
          Email{" "}
          <input
            type="email"
            required
            autoComplete="email"
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
        </label>{" "}
        <button type="submit" disabled={busy}>
          Place order
        </button>
      </form>
      {error && <p role="alert">The order was not placed: {error}</p>}
    </section>
  );
}
