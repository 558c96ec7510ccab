// The inline stub (documented in docs/snippet.md): queues page API calls made before leadscore.js has
// loaded; the loader replays them in order. Kept in ES5 so it runs anywhere; minified into the docs.
!function (w, l) {
  l = w.leadscore = w.leadscore || {};
  l.q = l.q || [];
  'track identify score on consent exportState reset init'.split(' ').forEach(function (m) {
    l[m] = l[m] || function () {
      var a = arguments;
      return new Promise(function (r) { l.q.push([m, a, r]); });
    };
  });
}(window);
