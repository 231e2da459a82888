import { useEffect, useState } from "react";
import { ApiError, type Product } from "../api";
import type { Client } from "../api/client";
import { addToCart, type CartLine } from "../cart";
import { Link } from "../router";
import { Price } from "./Price";

interface Props {
  api: Client;
  sku: string;
  cart: CartLine[];
  setCart: (lines: CartLine[]) => void;
}

export function ProductPage({ api, sku, cart, setCart }: Props) {
  const [product, setProduct] = useState<Product | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [quantity, setQuantity] = useState(1);
  const [added, setAdded] = useState(false);

  useEffect(() => {
    api.get("/products/{sku}", { params: { sku } }).then(setProduct, (reason: unknown) => {
      const notFound = reason instanceof ApiError && reason.status === 404;
      if (!notFound) console.error("the product failed to load:", reason);
      setError(notFound ? `No product ${sku}.` : `The product could not be loaded: ${reason}`);
    });
  }, [api, sku]);

  if (error) return <p role="alert">{error}</p>;
  if (!product) return <p role="status">Loading product…</p>;
  return (
    <article aria-labelledby="product-heading">
      <h1 id="product-heading">{product.name}</h1>
      <p>{product.description}</p>
      <p>
        <Price amount={product.price} currency={product.currency} />{" "}
        <span className="muted">
          {product.stock > 0 ? `${product.stock} in stock` : "Out of stock"} · SKU {product.sku}
        </span>
      </p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          setCart(addToCart(cart, product, quantity));
          setAdded(true);
        }}
      >
        <label>
          Quantity{" "}
          <input
            type="number"
            min={1}
            max={Math.max(1, product.stock)}
            value={quantity}
            onChange={(event) => setQuantity(Math.max(1, Number(event.target.value) || 1))}
          />
        </label>{" "}
        <button type="submit" disabled={product.stock < 1}>
          Add to cart
        </button>
      </form>
      {added && (
        <p role="status">
          Added to your cart. <Link href="/cart">Go to the cart</Link>
        </p>
      )}
    </article>
  );
}
