// Integration profiles: list with the check boxes, Validate Connection, Publish, refresh, the user CSV, delete; create.
'use strict';

(() => {
  const { api, h, say, act, date, enc, fill, options, isAdmin } = FE;
  let spokes = [];
  let aliases = [];

  const runText = (label, run) => run
    ? `${label}: ${run.succeeded ? 'completed' : `failed: ${run.error || run.status}`} (execution ${run.executionId.slice(0, 13)})`
    : `${label}: not run`;

  async function change(profile, field, value) {
    const updated = await api('PATCH', `/api/profiles/${enc(profile.id)}`, { [field]: value });
    say(updated.profile.status === 'Draft' && profile.status === 'Published'
      ? `'${profile.displayName}' is back to Draft: ${updated.profile.validationMessage || 'validate and publish again'}`
      : `'${profile.displayName}' saved`);
    await load();
  }

  function checkbox(profile, field, label) {
    return h('input', {
      type: 'checkbox', 'aria-label': `${label} of ${profile.displayName}`, checked: profile[field], disabled: !isAdmin(),
      'data-field': field,
      onchange: event => act(event.target, () => change(profile, field, event.target.checked)),
    });
  }

  function attachButton(profile) {
    const input = h('input', { type: 'file', accept: '.csv,text/csv', hidden: true, id: `file-${profile.id}`,
      onchange: event => act(null, async () => {
        const file = event.target.files[0];
        if (!file) return;
        const attached = await api('POST', `/api/profiles/${enc(profile.id)}/attachments?fileName=${enc(file.name)}`, file, 'text/csv');
        say(`attached ${attached.fileName} (${attached.rows} rows) to '${profile.displayName}'; the next download reads it`);
        event.target.value = '';
        await load();
      }) });
    return [input, h('label', { for: `file-${profile.id}`, class: 'button secondary' }, 'Attach user CSV')];
  }

  function row(p) {
    const validated = p.validatedAt
      ? h('span', { class: p.validationSucceeded ? 'ok' : 'bad', title: p.validationMessage || '' }, `${date(p.validatedAt)} ${p.validationSucceeded ? 'ok' : 'failed'}`)
      : h('span', { class: 'muted' }, 'not validated');
    const actions = h('td', { class: 'actions' },
      h('button', { type: 'button', class: 'secondary', onclick: () => act(null, () => show(p)) }, 'Details'));
    if (isAdmin()) {
      actions.append(
        h('button', { type: 'button', onclick: event => act(event.target, async () => {
          const run = await api('POST', `/api/profiles/${enc(p.id)}/validate`);
          say(run.succeeded ? `connection works: '${p.displayName}' reached ${p.vendor} through ${p.alias}` : runText('validation', run), run.succeeded);
          await load();
        }) }, 'Validate Connection'),
        h('button', { type: 'button', disabled: p.validationSucceeded !== true, title: p.validationSucceeded === true ? null : 'validate the connection first',
          onclick: event => act(event.target, async () => {
          if (!confirm(`Publish '${p.displayName}'? This creates the software model, the reclamation rule and the daily jobs, and downloads subscriptions now.`)) return;
          const published = await api('POST', `/api/profiles/${enc(p.id)}/publish`);
          const ok = published.download.succeeded && (!published.activity || published.activity.succeeded);
          say(`published '${p.displayName}'\n${runText('download', published.download)}\n${runText('activity', published.activity)}`, ok);
          await load();
        }) }, 'Publish'),
        h('button', { type: 'button', class: 'secondary', disabled: p.status !== 'Published', onclick: event => act(event.target, async () => {
          say(runText('download', await api('POST', `/api/profiles/${enc(p.id)}/refresh`)));
          if (p.downloadActivity) say(runText('activity', await api('POST', `/api/profiles/${enc(p.id)}/refresh?activity=true`)));
          await load();
        }) }, 'Refresh now'),
        ...attachButton(p),
        h('button', { type: 'button', class: 'danger', onclick: event => act(event.target, async () => {
          if (!confirm(`Delete '${p.displayName}'? Its subscriptions, jobs and attachments go; open removal candidates are Closed Skipped; rules stay.`)) return;
          await api('DELETE', `/api/profiles/${enc(p.id)}`);
          say(`deleted '${p.displayName}'`);
          document.getElementById('detail').hidden = true;
          await load();
        }) }, 'Delete'));
    }
    return h('tr', { 'data-profile': p.id },
      h('td', {}, p.displayName), h('td', {}, p.vendor), h('td', {}, p.profileType), h('td', {}, h('code', {}, p.alias)),
      h('td', { class: `status-${p.status}` }, p.status),
      h('td', {}, h('input', { type: 'checkbox', checked: true, disabled: true, 'aria-label': 'Download Subscriptions (always on)' })),
      h('td', {}, checkbox(p, 'downloadActivity', 'Download Activity')),
      h('td', {}, checkbox(p, 'reclaimSubscriptions', 'Reclaim subscriptions')),
      h('td', {}, validated), actions);
  }

  async function show(p) {
    const d = await api('GET', `/api/profiles/${enc(p.id)}`);
    const box = document.getElementById('detail');
    const states = Object.entries(d.candidates).map(([state, count]) => `${state} ${count}`).join(', ') || 'none';
    box.replaceChildren(
      h('h2', {}, d.profile.displayName),
      h('dl', {},
        h('dt', {}, 'Analyze user activity from'), h('dd', {}, date(d.profile.analyzeActivityFrom)),
        h('dt', {}, 'Reclaim safety cap'), h('dd', {}, `at most ${d.profile.reclaimCapCount} candidates and ${Math.round(d.profile.reclaimCapShare * 100)}% of the subscriptions per run`),
        h('dt', {}, 'Software model'), h('dd', {}, d.softwareModel || '(created on publish)'),
        h('dt', {}, 'Reclamation rule'), h('dd', {}, d.rule ? `${d.rule.name}: idle after ${d.rule.lastActivityThresholdDays} days` : '(created on publish)'),
        h('dt', {}, 'Subscriptions'), h('dd', {}, `${d.subscriptions} (${d.idleSubscriptions} idle)`),
        h('dt', {}, 'Removal candidates'), h('dd', {}, states),
        h('dt', {}, 'Latest attachment'), h('dd', {}, d.latestAttachment ? `${d.latestAttachment.fileName} (${date(d.latestAttachment.attachedAt)})` : 'none'),
        h('dt', {}, 'Jobs'), h('dd', {}, d.jobs.length ? d.jobs.map(j => `${j.name} (cron ${j.cron}, next ${date(j.nextFire)})`).join('; ') : 'none')));
    box.hidden = false;
  }

  async function load() {
    const profiles = await api('GET', `/api/profiles`);
    fill(document.querySelector('#profiles tbody'), profiles.map(row), 10, 'No integration profiles yet.');
  }

  function vendorChanged() {
    const vendor = document.getElementById('vendor').value;
    options(document.getElementById('alias'),
      aliases.filter(a => a.spoke === vendor).map(a => [a.id, `${a.id}${a.parent ? ` (child of ${a.parent})` : ''}${a.configured ? '' : ' — not configured'}`]));
  }

  window.pageInit = async () => {
    [spokes, aliases] = await Promise.all([api('GET', `/api/spokes`), api('GET', `/api/aliases`)]);
    options(document.getElementById('vendor'), spokes.filter(s => s.license).map(s => [s.id, `${s.name} (${s.license.profileType})`]));
    document.getElementById('vendor').addEventListener('change', vendorChanged);
    vendorChanged();
    document.getElementById('create').addEventListener('submit', event => {
      event.preventDefault();
      const form = event.target;
      act(form.querySelector('button'), async () => {
        const from = form.elements.analyzeActivityFrom.value;
        const created = await api('POST', `/api/profiles`, {
          vendor: form.elements.vendor.value,
          displayName: form.elements.displayName.value,
          alias: form.elements.alias.value || null,
          downloadActivity: form.elements.downloadActivity.checked,
          reclaimSubscriptions: form.elements.reclaimSubscriptions.checked,
          analyzeActivityFrom: from ? `${from}T00:00:00Z` : null,
        });
        say(`created '${created.profile.displayName}' (Draft); next: Validate Connection`);
        form.elements.displayName.value = '';
        await load();
      });
    });
    await load();
  };
})();
