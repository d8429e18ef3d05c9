// Reconciliation results (and Reconcile now), entitlements and exclusions.
'use strict';

(() => {
  const { api, h, say, act, date, fill, options } = FE;
  const money = value => Number(value).toFixed(2);

  function results(lines) {
    fill(document.querySelector('#results tbody'), lines.map(l => h('tr', {},
      h('td', {}, l.softwareModel), h('td', { class: 'num' }, l.owned), h('td', { class: 'num' }, l.used), h('td', { class: 'num' }, l.stale),
      h('td', { class: l.compliant ? 'ok' : 'bad' }, l.compliant ? 'yes' : `no (${l.used - l.owned} over)`),
      h('td', { class: 'num' }, money(l.potentialSavings)), h('td', { class: 'num' }, money(l.realisedSavings)), h('td', {}, date(l.runAt)))),
      8, 'Not reconciled yet.');
  }

  async function load() {
    const [lines, entitlements, exclusions, models] = await Promise.all([
      api('GET', `/api/reconciliation`), api('GET', `/api/entitlements`), api('GET', `/api/exclusions`), api('GET', `/api/software-models`)]);
    results(lines);
    fill(document.querySelector('#entitlements tbody'), entitlements.map(e => h('tr', {},
      h('td', {}, e.softwareModel), h('td', { class: 'num' }, e.rights), h('td', { class: 'num' }, money(e.unitCost)), h('td', {}, e.description || ''))),
      4, 'No entitlements.');
    fill(document.querySelector('#exclusions tbody'), exclusions.map(e => h('tr', {},
      h('td', {}, e.kind), h('td', {}, e.value), h('td', {}, e.profileType || (e.kind === 'identifier' ? '(all)' : '')))),
      3, 'No exclusions.');
    options(document.getElementById('model'), models.map(m => [m.name, m.name]));
  }

  window.pageInit = async () => {
    const spokes = await api('GET', `/api/spokes`);
    options(document.getElementById('profile-type'), spokes.filter(s => s.license).map(s => [s.license.profileType, s.license.profileType]), '(every type)');
    document.getElementById('reconcile').addEventListener('click', event => act(event.target, async () => {
      results(await api('POST', `/api/reconciliation/run`));
      say('reconciled every software model');
    }));
    document.getElementById('add-entitlement').addEventListener('submit', event => {
      event.preventDefault();
      const form = event.target;
      act(form.querySelector('button'), async () => {
        const added = await api('POST', `/api/entitlements`, {
          softwareModel: form.elements.softwareModel.value, rights: Number(form.elements.rights.value), unitCost: Number(form.elements.unitCost.value), description: form.elements.description.value || null,
        });
        say(`added ${added.rights} right(s) to '${added.softwareModel}'`);
        await load();
      });
    });
    document.getElementById('add-exclusion').addEventListener('submit', event => {
      event.preventDefault();
      const form = event.target;
      act(form.querySelector('button'), async () => {
        const added = await api('POST', `/api/exclusions`, { kind: form.elements.kind.value, value: form.elements.value.value, profileType: form.elements.profileType.value || null });
        say(`excluded ${added.kind} '${added.value}'`);
        form.elements.value.value = '';
        await load();
      });
    });
    await load();
  };
})();
