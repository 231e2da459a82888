import type { CognitoConfig } from "./config";

/** Signs in with USER_PASSWORD_AUTH and returns the ID token (what the API's authorizer checks). */
export async function signIn(
  cognito: CognitoConfig,
  username: string,
  password: string,
): Promise<string> {
  const endpoint = cognito.endpoint ?? `https://cognito-idp.${cognito.region}.amazonaws.com/`;
  const response = await fetch(endpoint, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
    },
    body: JSON.stringify({
      AuthFlow: "USER_PASSWORD_AUTH",
      ClientId: cognito.client_id,
      AuthParameters: { USERNAME: username, PASSWORD: password },
    }),
  });
  const data = (await response.json().catch(() => ({}))) as {
    message?: string;
    AuthenticationResult?: { IdToken?: string };
    ChallengeName?: string;
  };
  if (!response.ok) throw new Error(data.message ?? `sign-in failed (${response.status})`);
  const idToken = data.AuthenticationResult?.IdToken;
  if (!idToken) throw new Error(`sign-in needs another step: ${data.ChallengeName ?? "unknown"}`);
  return idToken;
}

/** The groups claim of an ID token (not verified here: the API verifies every call). */
export function groupsOf(idToken: string): string[] {
  try {
    const payload = JSON.parse(atob(idToken.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
    const groups = payload["cognito:groups"];
    return Array.isArray(groups) ? groups : [];
  } catch {
    return [];
  }
}
