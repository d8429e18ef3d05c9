// Removal candidates with their state and history; reclaim plan and run per profile.
'use strict';

(() => {
  const { api, h, say, act, date, enc, fill, options } = FE;
  const stateName = state => state.replace(/([a-z])([A-Z])/g, '$1 $2');
  const money = value => Number(value).toFixed(2);

  async function load() {
    const form = document.getElementById('filter');
    const query = new URLSearchParams();
    if (form.elements.profile.value) query.set('profile', form.elements.profile.value);
    if (form.elements.state.value) query.set('state', form.elements.state.value);
    if (form.elements.history.checked) query.set('history', 'true');
    const candidates = await api('GET', `/api/candidates?${query}`);
    fill(document.querySelector('#candidates tbody'), candidates.map(c => h('tr', { 'data-number': c.number },
      h('td', {}, c.number), h('td', {}, c.profile || ''), h('td', {}, c.userPrincipalName),
      h('td', { class: c.state === 'Ready' ? 'warn' : c.state === 'AttentionRequired' ? 'bad' : '' }, stateName(c.state)),
      h('td', {}, date(c.lastActivity) || 'never'), h('td', { class: 'num' }, `${c.thresholdDays} days`),
      h('td', {}, c.errorMessage || '',
        c.history ? h('ul', { class: 'history' }, c.history.map(e => h('li', {}, `${date(e.at)} ${e.from ? stateName(e.from) : '(new)'} → ${stateName(e.to)} by ${e.by}: ${e.why}`))) : null))),
      7, 'No removal candidates.');
  }

  async function plan() {
    const profile = document.getElementById('reclaim-profile').value;
    if (!profile) return;
    const report = await api('GET', `/api/reclaim/${enc(profile)}/plan`);
    const table = document.getElementById('plan-table');
    fill(table.querySelector('tbody'), report.planned.map(p => h('tr', {},
      h('td', {}, p.number), h('td', {}, p.userPrincipalName + (report.excluded.includes(p.number) ? ' (excluded)' : '')), h('td', {}, p.externalUserId),
      h('td', {}, date(p.lastActivity) || 'never'), h('td', { class: 'num' }, p.daysIdle ?? 'no activity'), h('td', {}, p.rule),
      h('td', { class: 'num' }, `${p.thresholdDays} days`), h('td', { class: 'num' }, money(p.saving)))), 8, 'Nothing to reclaim: no Ready candidates.');
    table.hidden = false;
    document.getElementById('plan-summary').replaceChildren(
      `${report.planned.length} Ready candidate(s) for '${report.profile}'; savings ${money(report.savings)} per year. `,
      report.stoppedBecause ? h('span', { class: 'warn' }, `A reclaim run would stop: ${report.stoppedBecause}`) : 'A reclaim run would remove these users at the vendor.');
  }

  window.pageInit = async () => {
    const profiles = await api('GET', `/api/profiles`);
    options(document.getElementById('profile'), profiles.map(p => [p.id, p.displayName]), 'All');
    options(document.getElementById('reclaim-profile'), profiles.map(p => [p.id, p.displayName]));
    document.getElementById('filter').addEventListener('submit', event => {
      event.preventDefault();
      act(event.target.querySelector('button'), load);
    });
    document.getElementById('reclaim').addEventListener('submit', event => {
      event.preventDefault();
      act(document.getElementById('plan'), plan);
    });
    document.getElementById('run').addEventListener('click', event => act(event.target, async () => {
      const select = document.getElementById('reclaim-profile');
      if (!select.value || !confirm(`Reclaim the Ready candidates of '${select.selectedOptions[0].textContent}' at the vendor now?`)) return;
      const report = await api('POST', `/api/reclaim/${enc(select.value)}/run`);
      say(`reclaimed ${report.reclaimed} of ${report.planned.length} subscription(s) of '${report.profile}'`
        + (report.failed.length ? `; ${report.failed.length} failed and need attention: ${report.failed.map(f => `${f.number}: ${f.message}`).join('; ')}` : ''),
        report.failed.length === 0);
      await Promise.all([load(), plan()]);
    }));
    await load();
  };
})();
