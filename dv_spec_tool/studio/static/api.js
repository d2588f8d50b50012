// Calls to the studio server. Every call carries this session's token; the
// server answers with the new diagram model, or {error} and an HTTP status.

const token = document.querySelector('meta[name="dv-spec-token"]').content;

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

async function call(method, path, body) {
  const options = { method, headers: { 'X-DV-Spec-Token': token } };
  if (body !== undefined) {
    options.headers['Content-Type'] = 'application/json';
    options.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, options);
  } catch (error) {
    throw new ApiError('the studio server is not answering (was dv-spec studio stopped?)', 0);
  }
  let payload;
  try {
    payload = await response.json();
  } catch (error) {
    throw new ApiError(`unexpected answer from the server (HTTP ${response.status})`, response.status);
  }
  if (!response.ok) throw new ApiError(payload.error || `HTTP ${response.status}`, response.status);
  return payload;
}

const entity = (name) => `/api/entities/${encodeURIComponent(name)}`;

export const api = {
  design: () => call('GET', '/api/design'),
  create: (body) => call('POST', '/api/entities', body),
  update: (name, body) => call('PUT', entity(name), body),
  remove: (name, version) => call('DELETE', entity(name), { version }),
  rename: (name, to, version) => call('POST', `${entity(name)}/rename`, { to, version }),
  connect: (from, to) => call('POST', '/api/connect', { from, to }),
  move: (positions) => call('PUT', '/api/layout', { positions }),
  autoLayout: () => call('PUT', '/api/layout', { reset: true }),
  spec: (name) => call('GET', `${entity(name)}/spec`),
};
