/* The JSON API client: errors carry the API's message ({"error": ..., "code": ...}), and requests where
   only the latest counts. */

/** JSON in, JSON out. options: {method, json (a body to send as JSON), headers (added), signal}. */
export async function api(path, options = {}) {
  const headers = { Accept: "application/json", ...options.headers };
  const init = { method: options.method || "GET", headers, signal: options.signal };
  if (options.json !== undefined) {
    init.method = options.method || "POST";
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(options.json);
  }
  const response = await fetch(path, init);
  let data = null;
  try {
    data = await response.json();
  } catch (_) {
    data = null;
  }
  if (!response.ok) {
    const error = new Error((data && data.error) || `The server answered ${response.status}`);
    error.status = response.status;
    error.code = data && data.code;
    throw error;
  }
  return data;
}

/** POST /api/predict: one drawing (`image`) or 28x28 `pixels`, answered by `model`. */
export const predict = (body, signal) => api("/api/predict", { json: body, signal });

/**
 * start() aborts the request before and returns {signal, current()}: current() stays true until the next
 * start() or cancel(), so a slow old answer never replaces a newer one (gallery pages, detail dialogs).
 */
export function createLatest() {
  let seq = 0;
  let controller = null;
  return {
    start() {
      const mine = ++seq;
      if (controller) controller.abort();
      controller = new AbortController();
      return { signal: controller.signal, current: () => mine === seq };
    },
    cancel() {
      seq += 1;
      if (controller) controller.abort();
    },
  };
}
