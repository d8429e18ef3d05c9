// Aliases: connections and credentials (secrets write-only), Test connection, and "Create and get OAuth token".
'use strict';

(() => {
  const { api, h, say, act, date, enc, fill, options, isAdmin } = FE;
  const secretFields = ['token', 'password', 'client_secret'];
  const ownSettings = ['client_id', 'user'];
  let aliases = [];

  const pairs = text => Object.fromEntries(text.split('\n').map(l => l.trim()).filter(l => l.includes('='))
    .map(l => [l.slice(0, l.indexOf('=')).trim(), l.slice(l.indexOf('=') + 1).trim()]));
  const lines = map => Object.entries(map || {}).map(([k, v]) => `${k}=${v}`).join('\n');
  const fields = () => document.getElementById('edit').elements;

  function redirectUrl(a) {
    const own = a && a.settings.redirect_uri;
    document.getElementById('redirect-url').textContent = own || `${location.origin}/oauth_redirect`;
  }

  function edit(a) {
    const f = fields();
    f.alias.value = a.id;
    f.parent.value = a.parent || '';
    f.name.value = a.name || '';
    f.url.value = a.url || '';
    f.credentialType.value = a.credentialType || '';
    f.client_id.value = a.settings.client_id || '';
    f.user.value = a.settings.user || '';
    f.settings.value = lines(Object.fromEntries(Object.entries(a.settings).filter(([k]) => !ownSettings.includes(k))));
    f.attributes.value = lines(a.attributes);
    for (const name of secretFields) {
      f[name].value = '';
      f[name].placeholder = a.secretsSet.includes(name) ? 'set (leave empty to keep)' : '';
    }
    redirectUrl(a);
    document.getElementById('edit-title').scrollIntoView();
    f.url.focus();
  }

  /** Saves the form as the alias's connection (PUT); keys removed from the form are removed from the connection. */
  async function save() {
    const f = fields();
    const alias = f.alias.value.trim();
    const existing = aliases.find(a => a.id === alias);
    const settings = pairs(f.settings.value);
    for (const name of ownSettings) settings[name] = f[name].value.trim();
    const attributes = pairs(f.attributes.value);
    for (const name of Object.keys(existing ? existing.settings : {})) if (!(name in settings)) settings[name] = '';
    for (const name of Object.keys(existing ? existing.attributes : {})) if (!(name in attributes)) attributes[name] = '';
    const secrets = {};
    for (const name of secretFields) if (f[name].value) secrets[name] = f[name].value;
    const saved = await api('PUT', `/api/aliases/${enc(alias)}`, {
      parent: f.parent.value || null,
      name: f.name.value || null,
      url: f.url.value,
      credentialType: f.credentialType.value || null,
      settings,
      attributes,
      secrets,
    });
    for (const name of secretFields) f[name].value = '';
    say(`saved the connection of ${alias}; secrets are encrypted and never shown`);
    await load();
    return saved;
  }

  async function consent(alias) {
    const started = await api('POST', `/api/aliases/${enc(alias)}/consent`);
    const box = document.getElementById('consent');
    box.replaceChildren(
      h('p', {}, `Consent for ${alias} started (valid until ${date(started.expiresAt)}). Sign in at the vendor and give consent in the new window; `,
        'the vendor sends you back to ', h('code', {}, started.redirectUri), ', which stores the tokens.'),
      h('p', {}, 'If no window opened: ', h('a', { href: started.authorizeUrl, target: '_blank', rel: 'noopener', id: 'consent-link' }, 'open the consent page'),
        ' ', h('button', { type: 'button', class: 'secondary', onclick: event => act(event.target, load) }, 'Reload aliases')));
    box.hidden = false;
    window.open(started.authorizeUrl, '_blank', 'noopener');
  }

  function row(a) {
    const token = a.hasAccessToken
      ? h('span', { class: 'ok' }, `yes${a.tokenExpiresAt ? `, expires ${date(a.tokenExpiresAt)}` : ''}${a.grantedScopes ? ` (${a.grantedScopes})` : ''}`)
      : h('span', { class: 'muted' }, a.credentialType === 'oauth2_authorization_code' ? 'none yet' : '');
    const actions = h('td', { class: 'actions' });
    if (isAdmin()) {
      actions.append(
        h('button', { type: 'button', class: 'secondary', onclick: () => edit(a) }, 'Edit'),
        h('button', { type: 'button', disabled: !a.configured || !a.testAction, onclick: event => act(event.target, async () => {
          const run = await api('POST', `/api/aliases/${enc(a.id)}/test`);
          say(run.succeeded ? `connection works: ${a.testAction} through ${a.id} completed` : `connection test failed: ${run.error}`, run.succeeded);
        }) }, 'Test connection'));
      if (a.credentialType === 'oauth2_authorization_code') {
        actions.append(h('button', { type: 'button', onclick: event => act(event.target, () => consent(a.id)) }, 'Get OAuth token'));
      }
    }
    return h('tr', { 'data-alias': a.id },
      h('td', {}, h('code', {}, a.id)), h('td', {}, a.spoke || '?'), h('td', {}, a.parent || ''),
      h('td', {}, a.url || h('span', { class: 'muted' }, a.urlTemplate || '')),
      h('td', {}, a.credentialType || h('span', { class: 'warn' }, 'not configured')),
      h('td', {}, a.secretsSet.join(', ')), h('td', {}, token), actions);
  }

  async function load() {
    aliases = await api('GET', `/api/aliases`);
    fill(document.querySelector('#aliases tbody'), aliases.map(row), 8, 'No aliases: add spokes under flows/spokes.');
    options(document.getElementById('parent'), aliases.filter(a => !a.parent && a.spoke).map(a => [a.id, a.id]), '(none: a spoke alias)');
  }

  window.pageInit = async () => {
    redirectUrl(null);
    const form = document.getElementById('edit');
    form.addEventListener('submit', event => {
      event.preventDefault();
      act(document.getElementById('save'), save);
    });
    document.getElementById('create-and-consent').addEventListener('click', event => act(event.target, async () => {
      if (!form.reportValidity()) return;
      const f = fields();
      if (!f.credentialType.value) f.credentialType.value = 'oauth2_authorization_code';
      await save();
      await consent(f.alias.value.trim());
    }));
    await load();
  };
})();
