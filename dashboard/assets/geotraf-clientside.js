/* geotraf client-side callbacks (called through dash.ClientsideFunction).
 *
 * They live here, not in Python strings, so that the dashboard runs under a
 * Content-Security-Policy without 'unsafe-inline' scripts.
 */
(function () {
  "use strict";

  // The page's language: <html lang>, else the language cookie, else the browser's.
  function pageLanguage() {
    const fromHtml = document.documentElement.getAttribute("lang");
    if (fromHtml) { return fromHtml; }
    const match = document.cookie.match(/(?:^|;\s*)geotraf_lang=([a-z]{2})/);
    return match ? match[1] : (navigator.language || "en");
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    geotraf: {
      // Draws the corridor lines from the geometry (sent once) and the loads (per filter).
      composeCorridorMap: function(geom, loads, overlay, whatif, layout) {
        const nu = window.dash_clientside.no_update;
        if (!geom || !loads || !layout) { return nu; }
        const L = loads.loads, cls = loads.classes, sup = loads.suppressed;
        const n = cls.length;
        const groups = [];
        for (let i = 0; i <= n; i++) { groups.push({lon: [], lat: [], text: []}); }
        const off = geom.offsets, lon = geom.lon, lat = geom.lat;
        const names = geom.labels, label = geom.label;
        const fmt = new Intl.NumberFormat(pageLanguage());
        const small = sup.label.split(" ")[0];
        for (let s = 0; s < L.length; s++) {
            const v = L[s];
            if (v === 0) { continue; }
            let g = n;
            if (v > 0) { g = 0; while (g < n - 1 && v >= cls[g].high) { g++; } }
            const grp = groups[g];
            const txt = (names[label[s]] || "") + ": " + (v > 0 ? fmt.format(v) : small)
                + " " + loads.unit;
            for (let k = off[s]; k < off[s + 1]; k++) {
                grp.lon.push(lon[k]); grp.lat.push(lat[k]); grp.text.push(txt);
            }
            grp.lon.push(null); grp.lat.push(null); grp.text.push(null);
        }
        const title = {text: loads.title + "<br><sup>" + loads.unit + "</sup>"};
        const data = [];
        // Data under the basemap's labels (when the style has them), so names stay
        // readable; closed/watched markers of the what-if go on top of everything.
        const labelled = ((layout.map && layout.map.style && layout.map.style.layers) || [])
            .some(function(l) { return l.id === "labels-town-dot"; });
        const under = function(t) {
            return labelled ? Object.assign({}, t, {below: "labels-town-dot"}) : t;
        };
        ((overlay && overlay.below) || []).forEach(function(t) { data.push(t); });
        const order = [n];
        for (let i = 0; i < n; i++) { order.push(i); }
        order.forEach(function(g) {
            const spec = g === n ? sup : cls[g];
            if (g === n && groups[g].lon.length === 0) { return; }
            data.push({type: "scattermap", mode: "lines", lon: groups[g].lon, lat: groups[g].lat,
                       hovertext: groups[g].text, hoverinfo: "text", connectgaps: false,
                       line: {color: spec.color, width: spec.width}, name: spec.label,
                       legendgroup: "corridors", legendgrouptitle: title});
        });
        ((overlay && overlay.above) || []).forEach(function(t) { data.push(t); });
        const drawn = data.map(under);
        (whatif || []).forEach(function(t) {  // closed/watched on top
            drawn.push(t.mode === "markers" ? t : under(t));
        });
        return {data: drawn, layout: layout};
    },

      // Rewrites the address bar in place (replaceState): Dash's location component is
      // not told, so the page is not rebuilt, yet a copied URL reopens this exact view.
      syncUrl: function (search) {
        if (typeof search === "string" && window.location.search !== search) {
          window.history.replaceState(null, "", window.location.pathname + search);
        }
        return window.dash_clientside.no_update;
      },

      // A what-if result is for the filters and picks it was run with: any change drops it.
      dropStaleWhatif: function () {
        return [[], null];
      },
    },
  });
})();
