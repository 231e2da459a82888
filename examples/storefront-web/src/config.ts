// Runtime configuration: /config.json beside index.html, written by the publisher
// (`nox -s frontend -- <env>`) from the stack outputs. Never cached (no-cache), never
// baked into the build.
export interface CognitoConfig {
  region: string;
  user_pool_id: string;
  client_id: string;
  /** Set for the local emulator only; AWS: https://cognito-idp.<region>.amazonaws.com/ */
  endpoint: string | null;
}

export interface AppConfig {
  environment: string;
  /** Where the API answers: "/api" on the site's own origin (CloudFront, `nox -s dev`). */
  api_base_url: string;
  cognito: CognitoConfig | null;
}

export async function loadConfig(): Promise<AppConfig> {
  const response = await fetch("/config.json", { cache: "no-cache" });
  if (!response.ok) {
    throw new Error(
      `config.json answered ${response.status}: publish the site with \`nox -s frontend -- <env>\``,
    );
  }
  const config = (await response.json()) as Partial<AppConfig>;
  if (typeof config.api_base_url !== "string" || typeof config.environment !== "string") {
    throw new Error("config.json lacks api_base_url or environment");
  }
  return { cognito: null, ...config } as AppConfig;
}
