// The page's side of the JSON API (docs/ui.md): typed fetches. The shapes it reads are the
// server's own, from the types-only module both sides import (nothing of the server is bundled).
import type { ApiErrorBody } from '../api-types.js';

/** An error the API answered with. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function answer<T>(response: Response): Promise<T> {
  const body = (await response.json().catch(() => undefined)) as Partial<ApiErrorBody> | undefined;
  if (!response.ok) {
    throw new ApiError(
      response.status,
      body?.error?.code ?? 'HTTP_ERROR',
      body?.error?.message ?? `${String(response.status)} ${response.statusText}`,
    );
  }
  return body as T;
}

/** `GET /api/<path>?<query>`. */
export async function get<T>(
  path: string,
  query: Readonly<Record<string, string | number | undefined>> = {},
): Promise<T> {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) params.set(key, String(value));
  }
  const text = params.toString();
  return await answer<T>(await fetch(`/api/${path}${text ? `?${text}` : ''}`));
}

/** `POST /api/actions/<name>` with the page's CSRF token. */
export async function post<T>(action: string, token: string, body: unknown): Promise<T> {
  return await answer<T>(
    await fetch(`/api/actions/${action}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': token },
      body: JSON.stringify(body),
    }),
  );
}

/** A path segment. */
export function seg(text: string): string {
  return encodeURIComponent(text);
}
