import type { Product } from "./api";

export interface CartLine {
  sku: string;
  name: string;
  unit_price: string; // a decimal string, as the API sends it
  currency: string;
  quantity: number;
}

const KEY = "woocom.cart";

export function loadCart(): CartLine[] {
  try {
    return JSON.parse(sessionStorage.getItem(KEY) ?? "[]") as CartLine[];
  } catch {
    return [];
  }
}

export function saveCart(lines: CartLine[]): void {
  sessionStorage.setItem(KEY, JSON.stringify(lines));
}

export function addToCart(lines: CartLine[], product: Product, quantity: number): CartLine[] {
  const existing = lines.find((line) => line.sku === product.sku);
  if (existing) {
    return lines.map((line) =>
      line.sku === product.sku ? { ...line, quantity: line.quantity + quantity } : line,
    );
  }
  const line = {
    sku: product.sku,
    name: product.name,
    unit_price: product.price,
    currency: product.currency,
    quantity,
  };
  return [...lines, line];
}

/** Sum of decimal strings in integer cents, so no float ever touches money. */
export function cartTotal(lines: CartLine[]): string {
  const cents = lines.reduce((sum, line) => sum + toCents(line.unit_price) * BigInt(line.quantity), 0n);
  const text = cents.toString().padStart(3, "0");
  return `${text.slice(0, -2)}.${text.slice(-2)}`;
}

function toCents(amount: string): bigint {
  const [units, fraction = ""] = amount.split(".");
  return BigInt(units) * 100n + BigInt((fraction + "00").slice(0, 2));
}
