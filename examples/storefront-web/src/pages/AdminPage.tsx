import { useState, type FormEvent } from "react";
import { ApiError, setToken, type ProductBody } from "../api";
import type { Client } from "../api/client";
import { groupsOf, signIn } from "../cognito";
import type { CognitoConfig } from "../config";

type Draft = Omit<ProductBody, "price" | "stock"> & { price: string; stock: string };
const EMPTY: Draft = { name: "", description: "", category: "", price: "", currency: "EUR", stock: "0" };

export function AdminPage({ api, cognito }: { api: Client; cognito: CognitoConfig | null }) {
  const [signedIn, setSignedIn] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  if (!cognito) return <p role="alert">This stack has no user pool (cognito is absent from config.json).</p>;
  if (!signedIn) {
    const submit = async (event: FormEvent<HTMLFormElement>) => {
      event.preventDefault();
      const form = new FormData(event.currentTarget);
      setError(null);
      try {
        const token = await signIn(cognito, String(form.get("username")), String(form.get("password")));
        if (!groupsOf(token).includes("admin")) throw new Error("this user is not in the admin group");
        setToken(token);
        setSignedIn(String(form.get("username")));
      } catch (reason) {
        setError(reason instanceof Error ? reason.message : String(reason));
      }
    };
    return (
      <section aria-labelledby="signin-heading">
        <h1 id="signin-heading">Admin sign-in</h1>
        <form onSubmit={submit}>
          <label>
            Username <input name="username" required autoComplete="username" />
          </label>
          <label>
            Password <input name="password" type="password" required autoComplete="current-password" />
          </label>
          <button type="submit">Sign in</button>
        </form>
        {error && <p role="alert">Sign-in failed: {error}</p>}
      </section>
    );
  }
  return <ProductEditor api={api} user={signedIn} />;
}

function ProductEditor({ api, user }: { api: Client; user: string }) {
  const [sku, setSku] = useState("");
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const field = (name: keyof Draft) => ({
    value: draft[name],
    onChange: (event: { target: { value: string } }) => setDraft({ ...draft, [name]: event.target.value }),
  });

  const load = async () => {
    setError(null);
    setMessage(null);
    try {
      const product = await api.get("/products/{sku}", { params: { sku } });
      setDraft({ ...product, stock: String(product.stock) });
    } catch (reason) {
      if (reason instanceof ApiError && reason.status === 404) {
        setDraft(EMPTY);
        setMessage(`No product ${sku} yet: saving creates it.`);
      } else setError(String(reason));
    }
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      const saved = await api.put("/products/{sku}", {
        params: { sku },
        // Only the body's fields: a loaded product also carries its sku, which the path names.
        body: {
          name: draft.name,
          description: draft.description,
          category: draft.category,
          price: draft.price,
          currency: draft.currency,
          stock: Number(draft.stock),
        },
      });
      setMessage(`Saved ${saved.sku}: ${saved.name}, ${saved.price} ${saved.currency}, stock ${saved.stock}.`);
    } catch (reason) {
      setError(reason instanceof ApiError ? reason.message : String(reason));
    }
  };

  return (
    <section aria-labelledby="editor-heading">
      <h1 id="editor-heading">Edit a product</h1>
      <p className="muted">Signed in as {user}.</p>
      <form onSubmit={save}>
        <label>
          SKU <input value={sku} required onChange={(event) => setSku(event.target.value)} />
        </label>
        <button type="button" onClick={() => void load()} disabled={!sku}>
          Load
        </button>
        <label>
          Name <input required {...field("name")} />
        </label>
        <label>
          Description <input {...field("description")} />
        </label>
        <label>
          Category <input required {...field("category")} />
        </label>
        <label>
          Price <input required inputMode="decimal" pattern="\d+(\.\d{1,2})?" {...field("price")} />
        </label>
        <label>
          Currency <input required {...field("currency")} />
        </label>
        <label>
          Stock <input required type="number" min={0} {...field("stock")} />
        </label>
        <button type="submit">Save product</button>
      </form>
      {message && <p role="status">{message}</p>}
      {error && <p role="alert">Not saved: {error}</p>}
    </section>
  );
}
