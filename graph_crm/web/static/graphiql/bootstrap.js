// Starts the vendored GraphiQL (loaded before this file by graphiql.html, no inline script).
// - The key: read from sessionStorage["graph-crm.key"], where the console's sign-in keeps it,
//   and sent as "Authorization: Bearer <key>" by the fetcher below. It never enters
//   GraphiQL's header editor or storage, and headers typed there are not persisted.
// - An initial query from the URL fragment: /graphiql#query=<url-encoded GraphQL>
//   (&variables=<url-encoded JSON>), as the console's "Show the GraphQL" links make it.
"use strict";
(function () {
  var KEY_ITEM = "graph-crm.key";

  function signedInKey() {
    try {
      return window.sessionStorage.getItem(KEY_ITEM);
    } catch (error) {
      return null;
    }
  }

  function fromFragment() {
    var params = new URLSearchParams(window.location.hash.replace(/^#/, ""));
    return { query: params.get("query"), variables: params.get("variables") };
  }

  function keyedFetch(url, init) {
    var headers = new Headers((init && init.headers) || {});
    var key = signedInKey();
    if (key && !headers.has("Authorization")) {
      headers.set("Authorization", "Bearer " + key);
    }
    return window.fetch(url, Object.assign({}, init, { headers: headers, credentials: "omit" }));
  }

  function notice() {
    if (signedInKey()) {
      return;
    }
    var element = document.getElementById("graphiql-notice");
    element.textContent = "Not signed in: queries will be refused. ";
    var link = document.createElement("a");
    link.href = "/";
    link.textContent = "Sign in on the console";
    element.appendChild(link);
    element.hidden = false;
  }

  function start() {
    notice();
    var initial = fromFragment();
    var fetcher = window.GraphiQL.createFetcher({ url: "/graphql", fetch: keyedFetch });
    var props = {
      fetcher: fetcher,
      shouldPersistHeaders: false,
      showPersistHeadersSettings: false,
      defaultEditorToolsVisibility: Boolean(initial.variables),
    };
    if (initial.query) {
      // a fresh tab with the query: what is stored from earlier sessions stays in other tabs
      props.defaultTabs = [{ query: initial.query, variables: initial.variables || undefined }];
      props.initialQuery = initial.query;
      if (initial.variables) {
        props.initialVariables = initial.variables;
      }
    }
    var h = window.React.createElement;
    var container = document.getElementById("graphiql");
    window.graphCrmLabelGraphiQL(container);
    // the logo leads back to the console, not to a site this page cannot reach offline
    var logo = h(window.GraphiQL.Logo, null, h("a", { href: "/" }, "graph-crm console"));
    window.ReactDOM.createRoot(container).render(h(window.GraphiQL, props, logo));
  }

  start();
})();
