import { createClient, type Client } from "./api/client";
import type { components } from "./api/schema";
import type { AppConfig } from "./config";

export type Product = components["schemas"]["Product"];
export type Order = components["schemas"]["Order"];
export type ProductBody = components["schemas"]["ProductBody"];
export { ApiError } from "./api/client";

let token: string | undefined;

export function setToken(value: string | undefined): void {
  token = value;
}

export function makeClient(config: AppConfig): Client {
  return createClient({ baseUrl: config.api_base_url, token: () => token });
}
