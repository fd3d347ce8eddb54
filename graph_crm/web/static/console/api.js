// The one way the console reaches the server: POST /graphql with the signed-in key.
import { signedInKey } from "./session.js";

export class ApiError extends Error {
  constructor(code, message, path, inputPath) {
    super(message);
    this.code = code;
    this.path = path;
    // which argument was refused, e.g. ["other", "delayDays"]: where a form shows it
    this.inputPath = inputPath;
  }
}

/** The data of `query`, or an ApiError with the server's code and message. */
export async function graphql(query, variables = {}) {
  const headers = { "Content-Type": "application/json", Accept: "application/json" };
  const key = signedInKey();
  if (key) {
    headers.Authorization = `Bearer ${key}`;
  }
  let response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers,
      body: JSON.stringify({ query, variables }),
      credentials: "omit",
    });
  } catch (error) {
    throw new ApiError("NETWORK", String(error));
  }
  const body = await response.json().catch(() => ({}));
  if (body.error) {
    // refused before GraphQL ran (401, 429, 413...): one JSON error
    throw new ApiError(body.error.code, body.error.message);
  }
  if (body.errors && body.errors.length) {
    const [first] = body.errors;
    const extensions = first.extensions || {};
    // the input's path (["where", "name", "eq"]) where the server names one
    throw new ApiError(extensions.code || "ERROR", first.message,
      extensions.inputPath || first.path, extensions.inputPath);
  }
  if (!response.ok) {
    throw new ApiError("HTTP_" + response.status, response.statusText);
  }
  return body.data;
}

/** A link that opens `query` in GraphiQL ("Show the GraphQL"). */
export function graphiqlHref(query, variables) {
  const params = new URLSearchParams({ query });
  if (variables) {
    params.set("variables", JSON.stringify(variables, null, 2));
  }
  return `/graphiql#${params}`;
}
