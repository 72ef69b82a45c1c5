/* The /sparql page in a browser: starts YASGUI (static/yasgui/, the vendored @zazuko/yasgui) on this
   server's endpoint, from the JSON the page carries (#sparql-ui-config: the endpoint, the base IRI,
   the ontology's prefixes, classes and properties, the named queries as examples). Nothing is loaded
   from anywhere else: the class and property completers complete the ontology's terms instead of
   asking the Linked Open Vocabularies service, the prefix completer uses the bundled prefix.cc list
   plus ours (no prefixCcApi), there is no CORS proxy and the endpoint list holds this server only. */
(function () {
  "use strict";
  var holder = document.getElementById("sparql-ui-config");
  var mount = document.getElementById("yasgui");
  if (!holder || !mount || typeof Yasgui === "undefined") {
    return; // the plain form stays
  }
  var config = JSON.parse(holder.textContent);
  var endpoint = new URL(config.endpoint, window.location.href).href;
  var Yasqe = Yasgui.Yasqe;

  // Our prefixes first in the prefix completer, then the bundled list (no lookup elsewhere).
  var ours = Object.keys(config.prefixes).map(function (name) { return name + ": <" + config.prefixes[name] + ">"; });
  var bundled = Yasqe.Autocompleters.prefixes;
  Yasqe.forkAutocompleter("prefixes", {
    name: "pwc-prefixes",
    persistenceId: null,
    get: function (yasqe, token) {
      return Promise.resolve(bundled.get(yasqe, token)).then(function (list) {
        var seen = {};
        ours.forEach(function (p) { seen[p.split(":")[0]] = true; });
        return ours.concat((list || []).filter(function (p) { return !seen[p.split(":")[0]]; }));
      });
    }
  }, false);
  // Classes and properties: the ontology's, from the page (YASGUI's own completers ask lov.linkeddata.es).
  Yasqe.forkAutocompleter("class", { name: "pwc-classes", bulk: true, persistenceId: null, get: config.classes }, false);
  Yasqe.forkAutocompleter("property", { name: "pwc-properties", bulk: true, persistenceId: null,
                                        get: config.properties }, false);
  // The defaults are merged index by index into a tab's settings: set them, not a partial list.
  Yasqe.defaults.autocompleters = ["variables", "pwc-prefixes", "pwc-classes", "pwc-properties"];
  Yasqe.defaults.prefixCcApi = null;

  var yasgui = new Yasgui(mount, {
    requestConfig: { endpoint: endpoint, method: "POST" },
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    corsProxy: undefined,
    copyEndpointOnNewTab: true,
    persistenceId: "pwc-kg-sparql",
    tabName: "Query",
    yasqe: { value: config.first ? config.examples[config.first].text : "" },
    yasr: { prefixes: config.prefixes }
  });
  // Tabs kept from an earlier visit keep their endpoint: this server's, whatever its address was then.
  yasgui.persistentConfig.getTabs().forEach(function (id) {
    var tab = yasgui.getTab(id);
    if (tab && tab.getEndpoint() !== endpoint) { tab.setEndpoint(endpoint); }
  });
  document.getElementById("sparql-form").hidden = true;
  document.documentElement.classList.add("has-yasgui");
  window.pwcSparql = yasgui; // for whoever drives the page (the tests do)

  // An example opens in a tab of its own (or its tab, when it is open already).
  function openExample(name) {
    var example = config.examples[name];
    if (!example) { return; }
    var tabs = yasgui.persistentConfig.getTabs();
    for (var i = 0; i < tabs.length; i++) {
      var tab = yasgui.getTab(tabs[i]);
      if (tab && tab.getName() === example.title) {
        yasgui.selectTabId(tabs[i]);
        return;
      }
    }
    yasgui.addTab(true, { name: example.title, yasqe: { value: example.text },
                          requestConfig: { endpoint: endpoint } });
    window.scrollTo(0, mount.offsetTop);
  }
  document.getElementById("examples").addEventListener("click", function (event) {
    var link = event.target.closest("a[data-example]");
    if (link) {
      event.preventDefault();
      openExample(link.getAttribute("data-example"));
    }
  });

  // Links to the entities this server serves go to their pages here, in this window; the ontology's terms
  // to the ontology's documentation.
  function localise(root) {
    var anchors = root.querySelectorAll ? root.querySelectorAll("a[href]") : [];
    for (var i = 0; i < anchors.length; i++) {
      var a = anchors[i];
      var href = a.getAttribute("href");
      if (href && href.indexOf(config.base_iri) === 0) {
        a.setAttribute("href", config.local_prefix + "/" + href.slice(config.base_iri.length));
        a.removeAttribute("target");
      } else if (href && href.indexOf(config.ontology_ns) === 0) { // a term: its entry in the ontology's page
        a.setAttribute("href", config.ontology_page + "#" + href.slice(config.ontology_ns.length));
        a.removeAttribute("target");
      }
    }
  }
  new MutationObserver(function (records) {
    records.forEach(function (r) {
      r.addedNodes.forEach(function (node) { if (node.nodeType === 1) { localise(node); } });
    });
  }).observe(mount, { childList: true, subtree: true });
})();
