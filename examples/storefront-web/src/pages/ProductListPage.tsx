import { useEffect, useState } from "react";
import { ApiError, type Product } from "../api";
import type { Client } from "../api/client";
import { Link } from "../router";
import { Price } from "./Price";

const PAGE_SIZE = 6;
// The seed catalog's categories; any other can be typed in the URL (?category=...).
const CATEGORIES = ["apparel", "accessories", "kitchen", "stationery"];

export function ProductListPage({ api }: { api: Client }) {
  const [category, setCategory] = useState(
    new URLSearchParams(window.location.search).get("category") ?? "",
  );
  // cursors[i] is the cursor of page i (undefined for the first page).
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [items, setItems] = useState<Product[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const cursor = cursors[cursors.length - 1];

  useEffect(() => {
    let current = true;
    setItems(null);
    setError(null);
    api
      .get("/products", { query: { category: category || undefined, limit: PAGE_SIZE, cursor } })
      .then((page) => {
        if (!current) return;
        setItems(page.items);
        setNext(page.next_cursor);
      })
      .catch((reason: unknown) => {
        if (!current) return;
        const detail = reason instanceof ApiError ? reason.message : String(reason);
        console.error("the product list failed to load:", reason);
        setError(`The products could not be loaded: ${detail}`);
      });
    return () => {
      current = false;
    };
  }, [api, category, cursor]);

  const choose = (value: string) => {
    setCategory(value);
    setCursors([undefined]);
    const query = value ? `?category=${encodeURIComponent(value)}` : "";
    window.history.replaceState(null, "", `/${query}`);
  };

  return (
    <section aria-labelledby="products-heading">
      <h1 id="products-heading">Products</h1>
      <label>
        Category{" "}
        <select value={category} onChange={(event) => choose(event.target.value)}>
          <option value="">All categories</option>
          {CATEGORIES.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </label>
      {error && <p role="alert">{error}</p>}
      {!error && items === null && <p role="status">Loading products…</p>}
      {items && items.length === 0 && <p role="status">No products in this category.</p>}
      {items && items.length > 0 && (
        <ul aria-label="Product list" className="products">
          {items.map((product) => (
            <li key={product.sku} data-sku={product.sku}>
              <Link href={`/products/${encodeURIComponent(product.sku)}`}>{product.name}</Link>
              <Price amount={product.price} currency={product.currency} />
              <span className="muted">{product.category}</span>
            </li>
          ))}
        </ul>
      )}
      <nav aria-label="Pages" className="pager">
        <button
          type="button"
          disabled={cursors.length === 1}
          onClick={() => setCursors(cursors.slice(0, -1))}
        >
          Previous page
        </button>
        <span>Page {cursors.length}</span>
        <button type="button" disabled={!next} onClick={() => setCursors([...cursors, next!])}>
          Next page
        </button>
      </nav>
    </section>
  );
}
