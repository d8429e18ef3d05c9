// FlowEngine's host page for Elsa Studio's custom elements (see shared/design/elsa-studio-contract.md):
// sign in with an API key (kept in sessionStorage), then show one studio element at a time:
//   /designer/                                     definition list  (editWorkflowDefinition → editor)
//   /designer/workflows/definitions/{id}/edit      definition editor (Run navigates to the instance viewer)
//   /designer/workflows/instances                  instance list    (viewWorkflowInstance → viewer)
//   /designer/workflows/instances/{id}/view        instance viewer
(function () {
    'use strict';
    const keyName = 'flowengine.apiKey';
    const base = new URL(document.baseURI).pathname; // "/designer/"
    const endpoint = location.origin + '/elsa/api';
    let current = null;
    let lastPath = location.pathname;

    const apiKey = () => sessionStorage.getItem(keyName);

    // Moving to another studio element loads the page again: the studio does not dispose an element removed from
    // the page, and a second one on the same page fails ("already a subscriber … 'mud-overlay-to-popover-provider'").
    function go(path) {
        location.assign(base + path);
    }

    // The studio itself navigates with history.pushState (the editor to the instance viewer after Run).
    function changed() {
        if (location.pathname === lastPath) return;
        lastPath = location.pathname;
        const page = apiKey() ? pageFor(pathOf(location.pathname)) : null;
        const key = page ? page.tag + JSON.stringify(page.attrs) : '';
        if (current && key !== current) location.reload();
    }

    for (const method of ['pushState', 'replaceState']) {
        const original = history[method].bind(history);
        history[method] = function (...args) {
            const result = original(...args);
            queueMicrotask(changed);
            return result;
        };
    }
    window.addEventListener('popstate', changed);
    setInterval(changed, 300);

    function pathOf(pathname) {
        return pathname.startsWith(base) ? pathname.substring(base.length) : '';
    }

    function pageFor(path) {
        let m;
        if ((m = path.match(/^workflows\/definitions\/([^/]+)\/edit\/?$/))) {
            return { tag: 'elsa-workflow-definition-editor', attrs: { 'definition-id': decodeURIComponent(m[1]) }, nav: 'definitions' };
        }
        if ((m = path.match(/^workflows\/instances\/([^/]+)\/view\/?$/))) {
            return { tag: 'elsa-workflow-instance-viewer', attrs: { 'instance-id': decodeURIComponent(m[1]) }, nav: 'executions' };
        }
        if (/^workflows\/instances\/?$/.test(path)) {
            return {
                tag: 'elsa-workflow-instance-list', attrs: {}, nav: 'executions',
                setup: el => { el.viewWorkflowInstance = id => go('workflows/instances/' + encodeURIComponent(id) + '/view'); }
            };
        }
        return {
            tag: 'elsa-workflow-definition-list', attrs: {}, nav: 'definitions',
            setup: el => { el.editWorkflowDefinition = id => go('workflows/definitions/' + encodeURIComponent(id) + '/edit'); }
        };
    }

    function route() {
        const signedIn = !!apiKey();
        document.getElementById('fe-sign-in').hidden = signedIn;
        document.getElementById('fe-user').hidden = !signedIn;
        if (!signedIn) {
            show(null);
            return;
        }
        show(pageFor(pathOf(location.pathname)));
    }

    function show(page) {
        const view = document.getElementById('fe-view');
        const key = page ? page.tag + JSON.stringify(page.attrs) : '';
        if (current === key) return;
        if (current && page) {
            // A second studio element on one page breaks the studio (see go()); load the page for the new one.
            location.reload();
            return;
        }
        current = key;
        for (const nav of ['definitions', 'executions']) {
            document.getElementById('fe-nav-' + nav).classList.toggle('fe-active', !!page && page.nav === nav);
        }
        view.replaceChildren();
        if (!page) return;
        // One provider sets the backend and the key for every element on the page.
        const provider = document.createElement('elsa-backend-provider');
        provider.setAttribute('remote-endpoint', endpoint);
        provider.setAttribute('api-key', apiKey());
        const element = document.createElement(page.tag);
        element.setAttribute('remote-endpoint', endpoint);
        element.setAttribute('api-key', apiKey());
        for (const [name, value] of Object.entries(page.attrs)) element.setAttribute(name, value);
        view.append(provider, element);
        // Callbacks only work once the element is defined (an earlier plain property shadows the element's setter).
        if (page.setup) customElements.whenDefined(page.tag).then(() => page.setup(element));
    }

    async function signIn(event) {
        event.preventDefault();
        const input = document.getElementById('fe-api-key');
        const message = document.getElementById('fe-sign-in-message');
        const key = input.value.trim();
        message.textContent = '';
        try {
            const response = await fetch(endpoint + '/features/installed', { headers: { Authorization: 'ApiKey ' + key } });
            if (response.status === 401 || response.status === 403) {
                message.textContent = 'This API key is not known to the server.';
                return;
            }
            if (!response.ok) {
                message.textContent = 'The server answered ' + response.status + '.';
                return;
            }
        } catch (e) {
            message.textContent = 'The server cannot be reached: ' + e;
            return;
        }
        sessionStorage.setItem(keyName, key);
        input.value = '';
        route();
    }

    function signOut() {
        sessionStorage.removeItem(keyName);
        location.assign(base);
    }

    document.addEventListener('click', event => {
        const link = event.target.closest && event.target.closest('#fe-bar a');
        if (!link) return;
        event.preventDefault();
        go(link.getAttribute('href') === './' ? '' : link.getAttribute('href'));
    });

    window.addEventListener('DOMContentLoaded', () => {
        document.getElementById('fe-sign-in').addEventListener('submit', signIn);
        document.getElementById('fe-sign-out').addEventListener('click', signOut);
        route();
    });
})();
