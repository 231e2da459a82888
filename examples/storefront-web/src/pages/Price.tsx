/** A decimal-string amount shown as is ("19.90 EUR"): never parsed into a float. */
export function Price({ amount, currency }: { amount: string; currency: string }) {
  return (
    <span className="price">
      {amount} {currency}
    </span>
  );
}
