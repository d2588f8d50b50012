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
  if (!response.ok) {
    const error = new ApiError(payload.error || `HTTP ${response.status}`, response.status);
    error.confirm = payload.confirm; // the server asks before a destructive or re-parenting edit
    throw error;
  }
  return payload;
}

const entity = (name) => `/api/entities/${encodeURIComponent(name)}`;

export const api = {
  design: () => call('GET', '/api/design'),
  create: (body) => call('POST', '/api/entities', body),
  update: (name, body) => call('PUT', entity(name), body),
  remove: (name, version, confirmed = false) => call('DELETE', entity(name), { version, confirmed }),
  rename: (name, body) => call('POST', `${entity(name)}/rename`, body),
  impact: (body) => call('POST', '/api/impact', body),
  connect: (from, to, confirmed = false) => call('POST', '/api/connect', { from, to, confirmed }),
  move: (positions) => call('PUT', '/api/layout', { positions }),
  autoLayout: (confirmed = false) => call('PUT', '/api/layout', { reset: true, confirmed }),
  undo: () => call('POST', '/api/undo', {}),
  redo: () => call('POST', '/api/redo', {}),
  exported: (format) => call('GET', `/api/export/${encodeURIComponent(format)}`),
  spec: (name) => call('GET', `${entity(name)}/spec`),
};
