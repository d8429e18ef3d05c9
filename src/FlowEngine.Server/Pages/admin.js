// FlowEngine admin pages: shared helpers. Every page calls the REST API with the API key the admin signed in with,
// kept in sessionStorage (gone when the tab closes). Pages define window.pageInit(), run once signed in.
'use strict';

const FE = (() => {
  const storageKey = 'flowengine.apiKey';
  const pages = [
    ['index.html', 'Overview'],
    ['profiles.html', 'Integration profiles'],
    ['aliases.html', 'Aliases'],
    ['candidates.html', 'Removal candidates'],
    ['reconciliation.html', 'Reconciliation'],
  ];
  let me = null;

  const key = () => sessionStorage.getItem(storageKey);

  /** Builds an element: h('td', { class: 'num' }, 'text', otherNode). Text is always inserted as text, never HTML. */
  function h(tag, attributes, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
      else if (name === 'checked' || name === 'disabled' || name === 'selected' || name === 'value') element[name] = value;
      else element.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      element.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return element;
  }

  /** The text of a ProblemDetails (with its diagnostics), or of any other error answer. */
  function problemText(data, response) {
    if (data && typeof data === 'object') {
      let text = data.detail || data.title || `${response.status} ${response.statusText}`;
      if (Array.isArray(data.errors)) {
        text += '\n' + data.errors.map(e => `${e.file}:${e.line}:${e.column}: ${e.severity} ${e.code}: ${e.message}`).join('\n');
      }
      return text;
    }
    if (response.status === 403) return `your key's role (${me ? me.role : '?'}) may not do this`;
    return (typeof data === 'string' && data.trim()) || `${response.status} ${response.statusText}`;
  }

  /**
   * Calls the API: api('GET', `/api/profiles`) or api('POST', `/api/profiles`, { … }). A string, Blob or FormData body
   * is sent as it is (contentType names its type); any other body as JSON. Throws an Error with the problem's text.
   */
  async function api(method, path, body, contentType) {
    const headers = { Authorization: `ApiKey ${key()}`, Accept: 'application/json' };
    let payload;
    if (typeof body === 'string' || body instanceof Blob || body instanceof FormData) {
      payload = body;
      if (contentType) headers['Content-Type'] = contentType;
    } else if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['Content-Type'] = 'application/json';
    }
    const response = await fetch(path, { method, headers, body: payload });
    const type = response.headers.get('content-type') || '';
    const data = type.includes('json') ? await response.json() : await response.text();
    if (response.status === 401) {
      sessionStorage.removeItem(storageKey);
    }
    if (!response.ok) {
      const error = new Error(problemText(data, response));
      error.status = response.status;
      error.data = data;
      throw error;
    }
    return data;
  }

  function say(text, ok = true) {
    const box = document.getElementById('messages');
    const message = h('div', { class: `message ${ok ? 'ok' : 'bad'}`, role: ok ? 'status' : 'alert' }, text,
      h('button', { type: 'button', class: 'secondary', onclick: () => message.remove() }, 'dismiss'));
    box.prepend(message);
    while (box.children.length > 4) box.lastElementChild.remove();
  }

  /** Runs an action from a button: disables it meanwhile and shows an error as a message. */
  async function act(button, action) {
    if (button) button.disabled = true;
    try {
      return await action();
    } catch (error) {
      say(error.message, false);
      return undefined;
    } finally {
      if (button) button.disabled = false;
    }
  }

  const date = value => (value ? String(value).replace('T', ' ').slice(0, 16) + ' UTC' : '');
  const enc = value => encodeURIComponent(value);
  const isAdmin = () => me && me.role === 'admin';

  /** Replaces a tbody's rows; shows a placeholder row when there are none. */
  function fill(tbody, rows, columns, empty) {
    tbody.replaceChildren(...(rows.length ? rows : [h('tr', {}, h('td', { colspan: columns, class: 'muted' }, empty))]));
  }

  function options(select, items, withAll) {
    const current = select.value;
    select.replaceChildren(...(withAll ? [h('option', { value: '' }, withAll)] : []),
      ...items.map(([value, label]) => h('option', { value }, label)));
    if ([...select.options].some(o => o.value === current)) select.value = current;
  }

  function nav() {
    const here = location.pathname.split('/').pop() || 'index.html';
    const header = document.getElementById('nav');
    header.className = 'nav';
    header.replaceChildren(
      h('span', { class: 'brand' }, 'FlowEngine admin'),
      ...pages.map(([file, label]) => h('a', { href: file, class: file === here ? 'current' : null }, label)),
      h('a', { href: '/designer/' }, 'Designer'),
      h('span', { class: 'who', id: 'who' }, me ? `${me.name} (${me.role})` : 'not signed in'),
      me ? h('button', { type: 'button', class: 'secondary', id: 'sign-out', onclick: signOut }, 'Sign out') : null);
  }

  function signOut() {
    sessionStorage.removeItem(storageKey);
    me = null;
    location.reload();
  }

  function showSignIn(error) {
    const box = document.getElementById('signin');
    const input = h('input', { type: 'password', id: 'api-key', name: 'api-key', autocomplete: 'off', size: 48, required: true });
    box.replaceChildren(
      h('h1', {}, 'Sign in'),
      h('p', {}, 'Give an API key (the server prints the first admin key when it starts). It is kept in this tab only.'),
      h('form', { class: 'inline', id: 'signin-form', onsubmit: async event => {
        event.preventDefault();
        sessionStorage.setItem(storageKey, input.value.trim());
        await start();
      } }, h('label', { for: 'api-key' }, 'API key'), input, h('button', { type: 'submit' }, 'Sign in')),
      error ? h('p', { class: 'bad', id: 'signin-error' }, error) : null);
    box.hidden = false;
    document.getElementById('content').hidden = true;
    input.focus();
  }

  async function start() {
    if (!key()) {
      nav();
      showSignIn();
      return;
    }
    try {
      me = await api('GET', `/api/me`);
    } catch (error) {
      sessionStorage.removeItem(storageKey);
      me = null;
      nav();
      showSignIn(error.status === 401 ? 'That key is not known.' : error.message);
      return;
    }
    nav();
    document.getElementById('signin').hidden = true;
    document.getElementById('content').hidden = false;
    document.body.dataset.role = me.role;
    for (const element of document.querySelectorAll('.admin-only')) element.hidden = !isAdmin();
    if (typeof window.pageInit === 'function') await act(null, window.pageInit);
  }

  document.addEventListener('DOMContentLoaded', start);
  return { api, h, say, act, date, enc, fill, options, isAdmin, me: () => me };
})();
