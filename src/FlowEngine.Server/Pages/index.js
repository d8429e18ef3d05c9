// Overview: the scheduler's jobs and the latest executions.
'use strict';

window.pageInit = async () => {
  const { api, h, date, fill } = FE;
  const [jobs, executions] = await Promise.all([api('GET', `/api/jobs`), api('GET', `/api/executions?take=15`)]);
  fill(document.querySelector('#jobs tbody'), jobs.map(j => h('tr', {},
    h('td', {}, j.name), h('td', {}, j.group), h('td', {}, h('code', {}, j.cron)), h('td', {}, date(j.nextFire)), h('td', {}, date(j.previousFire) || 'never'))),
    5, 'No jobs yet: publishing a profile creates its daily jobs.');
  fill(document.querySelector('#executions tbody'), executions.map(e => h('tr', {},
    h('td', {}, h('code', {}, e.id.slice(0, 13))), h('td', {}, `${e.definitionId}@${e.version}`),
    h('td', { class: e.status === 'Completed' ? 'ok' : e.status === 'Failed' ? 'bad' : 'warn' }, e.status),
    h('td', {}, date(e.startedAt)), h('td', { class: 'num' }, e.stepCount), h('td', {}, e.triggeredBy), h('td', {}, e.error || ''))),
    7, 'No executions yet.');
};
