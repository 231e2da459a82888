// A small typed fetch wrapper over the generated `schema.d.ts` (written by `nox -s client`).
// Paths, parameters, bodies and results are checked against the API's OpenAPI document:
//   const api = createClient({ baseUrl: "/api" });
//   const page = await api.get("/products", { query: { category: "kitchen" } });
//   const order = await api.post("/orders", { body, headers: { "Idempotency-Key": key } });
// Money fields are decimal strings ("12.99"): never turn them into numbers to add them up.
import type { paths } from "./schema";

type Method = "get" | "put" | "post" | "delete";
type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
type PathsWith<M extends Method> = {
  [P in keyof paths]: paths[P][M] extends undefined | never ? never : P;
}[keyof paths];

type Parameters<O, Where extends "path" | "query"> = O extends {
  parameters: { [K in Where]?: infer T };
}
  ? T
  : never;
type JsonBody<O> = O extends { requestBody: { content: { "application/json": infer B } } }
  ? B
  : never;
type JsonOf<R> = R extends { content: { "application/json": infer T } } ? T : undefined;
type Responses<O> = O extends { responses: infer R } ? R : never;
/** The body of the operation's 2xx response (undefined for 204). */
export type Success<O> = {
  [S in keyof Responses<O>]: S extends 200 | 201 | 202 | 204 ? JsonOf<Responses<O>[S]> : never;
}[keyof Responses<O>];

type Options<O> = ([Parameters<O, "path">] extends [never] | [undefined]
  ? { params?: undefined }
  : { params: NonNullable<Parameters<O, "path">> }) &
  ([Parameters<O, "query">] extends [never] | [undefined]
    ? { query?: undefined }
    : { query?: Parameters<O, "query"> }) &
  ([JsonBody<O>] extends [never] ? { body?: undefined } : { body: JsonBody<O> }) & {
    headers?: Record<string, string>;
    signal?: AbortSignal;
  };

/** The API answered with an error: `{"error": {"code", "message", "details"?}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export interface ClientOptions {
  /** Where the API answers, e.g. "/api" behind the site's CDN or "https://api.example.com". */
  baseUrl: string;
  /** Returns the bearer token for admin routes (a Cognito ID token), if signed in. */
  token?: () => string | undefined;
  fetch?: typeof fetch;
}

export interface Client {
  get<P extends PathsWith<"get">>(
    path: P,
    ...options: OptionalIfEmpty<Options<Operation<P, "get">>>
  ): Promise<Success<Operation<P, "get">>>;
  put<P extends PathsWith<"put">>(
    path: P,
    options: Options<Operation<P, "put">>,
  ): Promise<Success<Operation<P, "put">>>;
  post<P extends PathsWith<"post">>(
    path: P,
    options: Options<Operation<P, "post">>,
  ): Promise<Success<Operation<P, "post">>>;
  delete<P extends PathsWith<"delete">>(
    path: P,
    options: Options<Operation<P, "delete">>,
  ): Promise<Success<Operation<P, "delete">>>;
}

type OptionalIfEmpty<T> = { params?: undefined } extends Pick<T, keyof T & "params"> ? [T?] : [T];

export function createClient(options: ClientOptions): Client {
  const base = options.baseUrl.replace(/\/+$/, "");
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);

  async function request(method: Method, path: string, init: RequestOptions = {}): Promise<never> {
    const url = base + expand(path, init.params) + search(init.query);
    const headers: Record<string, string> = { Accept: "application/json", ...init.headers };
    const token = options.token?.();
    if (token) headers.Authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (init.body !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(init.body);
    }
    const response = await doFetch(url, {
      method: method.toUpperCase(),
      headers,
      body,
      signal: init.signal,
    });
    const text = await response.text();
    const data: unknown = text ? parseJson(text, response.status) : undefined;
    if (!response.ok) {
      const error = (data as { error?: { code?: string; message?: string; details?: unknown } })
        ?.error;
      throw new ApiError(
        response.status,
        error?.code ?? "http_error",
        error?.message ?? `${method.toUpperCase()} ${path} answered ${response.status}`,
        error?.details,
      );
    }
    return data as never;
  }

  return {
    get: (path, ...rest) => request("get", path, rest[0] as RequestOptions | undefined),
    put: (path, init) => request("put", path, init as RequestOptions),
    post: (path, init) => request("post", path, init as RequestOptions),
    delete: (path, init) => request("delete", path, init as RequestOptions),
  };
}

interface RequestOptions {
  params?: Record<string, string | number>;
  query?: Record<string, string | number | boolean | undefined | null>;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

function expand(path: string, params: RequestOptions["params"]): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params?.[name];
    if (value === undefined) throw new Error(`missing path parameter ${name} for ${path}`);
    return encodeURIComponent(String(value));
  });
}

function search(query: RequestOptions["query"]): string {
  const pairs = Object.entries(query ?? {}).filter(([, v]) => v !== undefined && v !== null);
  return pairs.length ? "?" + new URLSearchParams(pairs.map(([k, v]) => [k, String(v)])) : "";
}

function parseJson(text: string, status: number): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(status, "invalid_json", `the API answered ${status} with a non-JSON body`);
  }
}
