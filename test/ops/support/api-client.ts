/** The api's REST calls the ops tests make, against the api running at `baseUrl()`. */
/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are read loosely, as the specs' own code may */
export function apiClient(baseUrl: () => string) {
  async function call(
    method: string,
    path: string,
    key: string,
    body?: unknown,
  ): Promise<{ status: number; body: any }> {
    const response = await fetch(`${baseUrl()}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  /** The call's `data`, or an error naming the status and body when it did not answer 200/201. */
  async function created(method: string, path: string, key: string, body: unknown): Promise<any> {
    const response = await call(method, path, key, body);
    if (response.status !== 201 && response.status !== 200) {
      throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(response.body)}`);
    }
    return response.body.data;
  }

  return { call, created };
}
