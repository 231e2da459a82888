import { useMemo, useState } from "react";
import { makeClient } from "./api";
import { loadCart, saveCart, type CartLine } from "./cart";
import type { AppConfig } from "./config";
import { AdminPage } from "./pages/AdminPage";
import { CartPage } from "./pages/CartPage";
import { OrderPage } from "./pages/OrderPage";
import { ProductListPage } from "./pages/ProductListPage";
import { ProductPage } from "./pages/ProductPage";
import { Link, usePath } from "./router";

export function App({ config }: { config: AppConfig }) {
  const api = useMemo(() => makeClient(config), [config]);
  const path = usePath();
  const [cart, setCartState] = useState<CartLine[]>(loadCart);
  const setCart = (lines: CartLine[]) => {
    saveCart(lines);
    setCartState(lines);
  };
  const count = cart.reduce((sum, line) => sum + line.quantity, 0);

  let page;
  const product = path.match(/^\/products\/([^/]+)$/);
  const order = path.match(/^\/orders\/([^/]+)$/);
  if (product) {
    const sku = decodeURIComponent(product[1]);
    page = <ProductPage api={api} sku={sku} cart={cart} setCart={setCart} />;
  } else if (order) {
    page = <OrderPage api={api} orderId={decodeURIComponent(order[1])} />;
  } else if (path === "/cart") {
    page = <CartPage api={api} cart={cart} setCart={setCart} />;
  } else if (path === "/admin") {
    page = <AdminPage api={api} cognito={config.cognito} />;
  } else {
    page = <ProductListPage api={api} />;
  }

  return (
    <>
      <header>
        <nav aria-label="Main">
          <Link href="/" className="brand">
            WooCom
          </Link>
          <Link href="/cart">Cart ({count})</Link>
          <Link href="/admin">Admin</Link>
        </nav>
        {config.environment !== "production" && (
          <span className="environment" aria-label="Environment">
            {config.environment}
          </span>
        )}
      </header>
      <main>{page}</main>
    </>
  );
}
